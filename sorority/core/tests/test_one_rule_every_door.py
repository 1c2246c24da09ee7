"""One rule, every door: the same pseudonym and phone rules on pages, API and sign-up.

Each bad value is sent through every door that writes it; every door refuses it
with the same message, and nothing is stored. A phone written with spaces, dots
or dashes is stored in one canonical form (E.164) whichever door it came by.
"""

import pytest
from django.urls import reverse

from sorority.accounts.models import User
from sorority.places.models import Profile
from sorority.places.tests.factories import located_member

pytestmark = pytest.mark.django_db

BAD_NAMES = [
    "Marie 0612345678",
    "Marie 06 12 34 56 78",
    "Marie 06.12.34.56.78",
    "Marie +33 6 12-34-56-78",
    "Lou \uff10\uff16\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18",  # full-width
    "lea@example.org",
    "Lea www.example.org",
    "https://x.example",
    "lea.fr",
]
CONTACT_MESSAGE = (
    "Un pseudonyme ne doit contenir ni e-mail, ni lien, ni numéro de téléphone."
)
PHONE_MESSAGE = (
    "Saisissez un numéro de téléphone, par exemple 06 12 34 56 78 ou +33 6 12 34 56 78."
)
PASSWORD = "a-long-passphrase-42"


def _profile_post(**overrides: object) -> dict:
    data = {
        "display_name": "Aya",
        "avatar": "rose",
        "bio": "",
        "place_name": "",
        "place": "",
        "precision": "town",
        "safe_type": "room",
        "safe_adults": 2,
        "safe_children": 1,
        "safe_max_nights": 3,
        "safe_availability": "now",
        "safe_visibility": "members",
    }
    data.update(overrides)
    return data


def _form_errors(response, field: str) -> list[str]:
    return [str(e) for e in response.context["form"].errors.get(field, [])]


# --- the doors that write a pseudonym; each returns the messages it gave ---


def door_settings_page(client, user, value):
    r = client.post(
        reverse("accounts:settings"), {"display_name": value, "exit_url": ""}
    )
    assert r.status_code == 200
    return _form_errors(r, "display_name")


def door_profile_page(client, user, value):
    r = client.post(reverse("places:profile"), _profile_post(display_name=value))
    assert r.status_code == 400
    return _form_errors(r, "display_name")


def door_profile_api(client, user, value):
    r = client.patch(
        "/api/v1/me/profile", {"display_name": value}, content_type="application/json"
    )
    assert r.status_code == 400
    return r.json()["error"]["fields"]["display_name"]


MEMBER_DOORS = [door_settings_page, door_profile_page, door_profile_api]


@pytest.mark.parametrize("value", BAD_NAMES)
@pytest.mark.parametrize("door", MEMBER_DOORS, ids=lambda d: d.__name__)
def test_every_member_door_refuses_a_contact_in_the_pseudonym(
    member_client, member, door, value
):
    located_member("69123", user=member, support={})
    before = User.objects.get(pk=member.pk).display_name
    assert door(member_client, member, value) == [CONTACT_MESSAGE]
    assert User.objects.get(pk=member.pk).display_name == before


def _signup_web(client, email, value):
    r = client.post(
        reverse("account_signup"),
        {
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "display_name": value,
            "consent": "on",
        },
    )
    assert r.status_code == 200
    return _form_errors(r, "display_name")


def _signup_headless(client_kind):
    def door(client, email, value):
        r = client.post(
            f"/_allauth/{client_kind}/v1/auth/signup",
            {
                "email": email,
                "password": PASSWORD,
                "display_name": value,
                "consent": True,
            },
            content_type="application/json",
        )
        assert r.status_code == 400
        return [
            e["message"] for e in r.json()["errors"] if e.get("param") == "display_name"
        ]

    door.__name__ = f"signup_headless_{client_kind}"
    return door


SIGNUP_DOORS = [_signup_web, _signup_headless("browser"), _signup_headless("app")]


@pytest.mark.parametrize("value", BAD_NAMES)
@pytest.mark.parametrize("door", SIGNUP_DOORS, ids=lambda d: d.__name__)
def test_every_signup_door_refuses_a_contact_in_the_pseudonym(client, door, value):
    assert door(client, "new@example.org", value) == [CONTACT_MESSAGE]
    assert not User.objects.filter(email="new@example.org").exists()


@pytest.mark.parametrize("door", SIGNUP_DOORS, ids=lambda d: d.__name__)
def test_every_signup_door_stores_the_same_normalised_pseudonym(client, door):
    if door is _signup_web:
        r = client.post(
            reverse("account_signup"),
            {
                "email": "new@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "display_name": "  Léa   M.  ",
                "consent": "on",
            },
        )
        assert r.status_code == 302
    else:
        client.post(
            f"/_allauth/{door.__name__.rsplit('_', 1)[1]}/v1/auth/signup",
            {
                "email": "new@example.org",
                "password": PASSWORD,
                "display_name": "  Léa   M.  ",
                "consent": True,
            },
            content_type="application/json",
        )
    assert User.objects.get(email="new@example.org").display_name == "Léa M."


def test_the_service_is_the_authority_even_without_a_form(member):
    """A write that skips every form (a future door) is refused by the service."""
    from django.utils import translation

    from sorority.accounts.services import user_update_settings
    from sorority.core.errors import ApplicationError

    with translation.override("fr"), pytest.raises(ApplicationError) as caught:
        user_update_settings(user=member, display_name="Marie 06 12 34 56 78")
    assert caught.value.fields == {"display_name": [CONTACT_MESSAGE]}
    assert User.objects.get(pk=member.pk).display_name == member.display_name.strip()


def test_an_old_pseudonym_never_blocks_discreet_mode_or_a_ban(member):
    """Validation covers the fields being changed, not a name stored under older rules."""
    from sorority.accounts.services import user_set_status
    from sorority.privacy.services import discreet_toggle

    User.objects.filter(pk=member.pk).update(display_name="Old 06 12 34 56 78")
    user = User.objects.get(pk=member.pk)
    discreet_toggle(user=user)
    assert User.objects.get(pk=member.pk).discreet_mode is True
    user_set_status(user=user, status=User.Status.BANNED)
    assert User.objects.get(pk=member.pk).status == User.Status.BANNED


# --- phone numbers ---

WRITTEN = [
    "06 12 34 56 78",
    "06.12.34.56.78",
    "06-12-34-56-78",
    "(0)6 12 34 56 78",
    "+33 6 12 34 56 78",
    "0033612345678",
    "+33 (0)6 12 34 56 78",
]
BAD_PHONES = [
    "call me",
    "0612",
    "06 12 34 56 7x",
    "12345678901234567890",
    "06 12 34 56 78 ext",
]


def _phone_page(client, value):
    return client.post(
        reverse("places:profile"), _profile_post(phone=value, show_phone="on")
    )


def _phone_api(client, value):
    return client.patch(
        "/api/v1/me/profile",
        {"contact": {"phone": value, "show_phone": True}},
        content_type="application/json",
    )


@pytest.mark.parametrize("value", WRITTEN)
@pytest.mark.parametrize("door", [_phone_page, _phone_api], ids=["page", "api"])
def test_a_phone_written_any_way_is_stored_in_e164(member_client, member, door, value):
    located_member("69123", user=member, support={})
    r = door(member_client, value)
    assert r.status_code in (200, 302)
    assert Profile.objects.get(user=member).phone == "+33612345678"


@pytest.mark.parametrize("value", BAD_PHONES)
def test_a_non_number_is_refused_identically_by_page_and_api(
    member_client, member, value
):
    located_member("69123", user=member, support={}, contact={"phone": "0611223344"})
    page = _phone_page(member_client, value)
    assert page.status_code == 400
    api = _phone_api(member_client, value)
    assert api.status_code == 400
    assert _form_errors(page, "phone") == [PHONE_MESSAGE]
    assert api.json()["error"]["fields"] == {"phone": [PHONE_MESSAGE]}
    assert Profile.objects.get(user=member).phone == "+33611223344"


def test_the_page_shows_her_phone_as_people_write_it(member_client, member):
    located_member(
        "69123", user=member, support={}, contact={"phone": "06.12.34.56.78"}
    )
    r = member_client.get(reverse("places:profile"))
    assert 'value="06 12 34 56 78"' in r.content.decode()


# --- a case's pseudonymous label (association staff) ---

LABEL_MESSAGE = (
    "Un libellé pseudonyme ne doit contenir ni e-mail, ni lien, ni numéro de téléphone."
)


@pytest.mark.parametrize("value", ["Rose 06 12 34 56 78", "rose@example.org"])
def test_a_case_label_with_a_contact_is_refused_by_page_and_api(client, value):
    from conftest import sign_in
    from sorority.associations.models import Case
    from sorority.associations.tests.factories import approved_association_with_staff

    _association, rep = approved_association_with_staff()
    sign_in(client, rep)
    page = client.post(
        reverse("associations:case_new"),
        {
            "label": value,
            "need": "safe_place",
            "adults": 1,
            "nights": 2,
            "avoid_radius_km": 0,
        },
    )
    assert page.status_code == 200
    assert _form_errors(page, "label") == [LABEL_MESSAGE]
    api = client.post(
        "/api/v1/cases",
        {"label": value, "adults": 1, "nights": 2},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert api.json()["error"]["fields"]["label"] == [LABEL_MESSAGE]
    assert not Case.objects.exists()


# --- an abuser flag: the same identity rules on the page and the API ---


@pytest.mark.parametrize("birth_date", ["2999-01-01", "1850-06-01"])
def test_an_unreal_birth_date_is_refused_by_page_and_api(
    member_client, member, settings, birth_date
):
    from sorority.privacy.models import AbuserFlag

    settings.ABUSER_FLAGS_ENABLED = True
    body = {"family_name": "Dupont", "given_names": "Jean", "birth_date": birth_date}
    api = member_client.post(
        "/api/v1/abuser-flags", body, content_type="application/json"
    )
    assert api.status_code == 400
    page = member_client.post(reverse("privacy:flags"), body)
    assert page.status_code in (200, 400)
    message = "Saisissez une vraie date de naissance."
    assert api.json()["error"]["fields"] == {"birth_date": [message]}
    assert _form_errors(page, "birth_date") == [message]
    assert not AbuserFlag.objects.exists()


def test_the_flag_service_refuses_an_unreal_birth_date_without_a_form(member, settings):
    import datetime

    from sorority.core.errors import ApplicationError
    from sorority.privacy.services import abuser_flag_create

    settings.ABUSER_FLAGS_ENABLED = True
    with pytest.raises(ApplicationError) as caught:
        abuser_flag_create(
            member=member,
            family_name="Dupont",
            given_names="Jean",
            birth_date=datetime.date(2999, 1, 1),
        )
    assert set(caught.value.fields) == {"birth_date"}
