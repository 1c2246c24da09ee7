import datetime
import io

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from conftest import sign_in
from sorority.accounts.models import User
from sorority.accounts.tests.factories import PASSWORD, UserFactory
from sorority.privacy import services
from sorority.privacy.models import AbuserFlag
from sorority.privacy.selectors import flag_matches, flag_matches_identity
from sorority.verification.identity import all_tags

pytestmark = pytest.mark.django_db

FAMILY = "Vorkhagen-Tremblay"
GIVEN = "Maximilien Ulrich"
BIRTH = "1979-03-14"
BODY = {"family_name": FAMILY, "given_names": GIVEN, "birth_date": BIRTH}


def _post(client, body=BODY):
    return client.post("/api/v1/abuser-flags", body, content_type="application/json")


def _dump() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue().lower()


def test_flags_are_off_by_default():
    assert getattr(settings, "ABUSER_FLAGS_ENABLED", False) is False


def test_while_off_every_flag_endpoint_and_page_answers_404(member_client):
    response = _post(member_client)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "feature_disabled"
    assert _post(member_client, {"nonsense": 1}).status_code == 404
    assert member_client.get("/api/v1/abuser-flags").status_code == 404
    assert member_client.delete("/api/v1/abuser-flags/1").status_code == 404
    assert member_client.get("/privacy/flags/").status_code == 404
    assert not AbuserFlag.objects.exists()


def test_member_files_a_flag_and_only_tags_reach_the_database(member_client, flags_on):
    response = _post(member_client)
    assert response.status_code == 201, response.content
    assert set(response.json()) == {"id", "filed_at", "expires_at"}
    flag = AbuserFlag.objects.get()
    assert len(flag.tag) == 64
    assert flag.key_version == max(settings.IDENTITY_TAG_KEYS)
    dump = _dump()
    for plain in ("vorkhagen", "tremblay", "maximilien", "ulrich", "1979-03-14"):
        assert plain not in dump


def test_flag_lasts_two_years(member_client, flags_on):
    with time_machine.travel("2026-02-01 12:00 +0000", tick=False):
        _post(member_client)
    flag = AbuserFlag.objects.get()
    assert flag.expires_at - flag.created_at == datetime.timedelta(days=730)


def test_association_staff_may_flag(client, staff_member, flags_on):
    sign_in(client, staff_member)
    assert _post(client).status_code == 201


def test_applicant_anonymous_and_banned_may_not_flag(client, applicant, flags_on):
    assert _post(client).status_code == 401
    sign_in(client, applicant)
    response = _post(client)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "verification_required"
    assert client.get("/privacy/flags/").status_code == 302  # to her status page
    banned = UserFactory(status=User.Status.BANNED)
    sign_in(client, banned)
    assert _post(client).status_code == 403
    assert not AbuserFlag.objects.exists()


def test_one_new_flag_per_24_hours(member_client, flags_on):
    with time_machine.travel("2026-03-01 09:00 +0000", tick=False):
        assert _post(member_client).status_code == 201
    with time_machine.travel("2026-03-02 08:00 +0000", tick=False):
        response = _post(member_client, {**BODY, "given_names": "Other"})
        assert response.status_code == 429
        assert response.json()["error"]["code"] == "rate_limited"
    with time_machine.travel("2026-03-02 09:01 +0000", tick=False):
        assert _post(member_client, {**BODY, "given_names": "Other"}).status_code == 201


def test_withdrawing_does_not_reset_the_24_hour_clock(member_client, flags_on):
    flag_id = _post(member_client).json()["id"]
    assert member_client.delete(f"/api/v1/abuser-flags/{flag_id}").status_code == 204
    assert _post(member_client).status_code == 429


def test_at_most_five_active_flags(member_client, flags_on):
    start = datetime.datetime(2026, 4, 1, 9, tzinfo=datetime.UTC)
    for day in range(5):
        with time_machine.travel(start + datetime.timedelta(days=day), tick=False):
            response = _post(member_client, {**BODY, "given_names": f"Person {day}"})
            assert response.status_code == 201
    with time_machine.travel(start + datetime.timedelta(days=6), tick=False):
        response = _post(member_client, {**BODY, "given_names": "Sixth"})
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "too_many_flags"
    assert AbuserFlag.objects.count() == 5


def test_bad_input_is_a_clear_400(member_client, flags_on):
    assert _post(member_client, {"family_name": "X"}).status_code == 400
    assert _post(member_client, {**BODY, "birth_date": "not a date"}).status_code == 400
    assert _post(member_client, {**BODY, "birth_date": "2999-01-01"}).status_code == 400
    response = _post(member_client, {"family_name": "---", "given_names": "  "})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert _post(member_client, {**BODY, "family_name": "x" * 500}).status_code == 400
    assert not AbuserFlag.objects.exists()


def test_she_cannot_withdraw_someone_elses_flag(client, member, flags_on):
    other = UserFactory()
    flag = services.abuser_flag_create(member=other, family_name=FAMILY, given_names=GIVEN)
    sign_in(client, member)
    assert client.delete(f"/api/v1/abuser-flags/{flag.pk}").status_code == 404
    assert client.post(f"/privacy/flags/{flag.pk}/withdraw/").status_code == 404
    assert AbuserFlag.objects.filter(pk=flag.pk).exists()


def test_list_shows_dates_never_tags(member_client, flags_on):
    _post(member_client)
    listing = member_client.get("/api/v1/abuser-flags").json()
    assert len(listing) == 1
    assert AbuserFlag.objects.get().tag not in str(listing)


def test_export_shows_her_flags_as_counts_and_dates(member_client, flags_on):
    _post(member_client)
    body = member_client.get("/api/v1/me/export").json()
    flags = body["data"]["privacy"]["abuser_flags"]
    assert flags["active"] == 1
    assert set(flags["flags"][0]) == {"filed_at", "expires_at"}
    assert AbuserFlag.objects.get().tag not in str(body)


def test_a_match_is_found_without_saying_who_flagged(member, flags_on):
    services.abuser_flag_create(
        member=member,
        family_name=FAMILY,
        given_names=GIVEN,
        birth_date=datetime.date(1979, 3, 14),
    )
    tags = all_tags(
        family_name="vorkhagen tremblay",
        given_names="Ulrich Maximilien",
        birth_date=datetime.date(1979, 3, 14),
        keyring=settings.IDENTITY_TAG_KEYS,
        purpose="flag",
    )
    assert flag_matches(tags) is True
    assert flag_matches({1: "0" * 64}) is False
    assert flag_matches({}) is False
    assert flag_matches_identity(
        family_name=FAMILY, given_names=GIVEN, birth_date=datetime.date(1979, 3, 14)
    )
    assert not flag_matches_identity(
        family_name=FAMILY, given_names=GIVEN, birth_date=datetime.date(1980, 1, 1)
    )


def test_a_flag_without_birth_date_matches_any_birth_date(member, flags_on):
    services.abuser_flag_create(member=member, family_name=FAMILY, given_names=GIVEN)
    assert flag_matches_identity(
        family_name=FAMILY, given_names=GIVEN, birth_date=datetime.date(1979, 3, 14)
    )


def test_expired_flags_no_longer_match(member, flags_on):
    with time_machine.travel("2024-01-01 00:00 +0000", tick=False):
        services.abuser_flag_create(member=member, family_name=FAMILY, given_names=GIVEN)
    with time_machine.travel("2026-01-02 00:00 +0000", tick=False):
        assert not flag_matches_identity(
            family_name=FAMILY, given_names=GIVEN, birth_date=None
        )


def test_flags_go_with_her_account(client, member, flags_on):
    services.abuser_flag_create(member=member, family_name=FAMILY, given_names=GIVEN)
    sign_in(client, member)
    client.delete("/api/v1/me", {"password": PASSWORD}, content_type="application/json")
    assert not AbuserFlag.objects.exists()
    assert not flag_matches_identity(family_name=FAMILY, given_names=GIVEN, birth_date=None)


def test_she_may_keep_her_flags_unlinked_from_her_when_she_leaves(client, member, flags_on):
    services.abuser_flag_create(member=member, family_name=FAMILY, given_names=GIVEN)
    sign_in(client, member)
    response = client.post(
        "/privacy/delete/", {"password": PASSWORD, "confirm": "on", "keep_flags": "on"}
    )
    assert response.status_code == 200
    flag = AbuserFlag.objects.get()
    assert flag.member_id is None
    assert flag_matches_identity(family_name=FAMILY, given_names=GIVEN, birth_date=None)


def test_flag_page_files_and_withdraws(member_client, flags_on):
    page = member_client.get("/privacy/flags/")
    assert page.status_code == 200
    assert 'autocomplete="off"' in page.content.decode()
    response = member_client.post(
        "/privacy/flags/", {"family_name": FAMILY, "given_names": GIVEN}
    )
    assert response.status_code == 302
    flag = AbuserFlag.objects.get()
    again = member_client.post("/privacy/flags/", {"family_name": "A", "given_names": "B"})
    assert again.status_code == 200
    assert again.context["form"].non_field_errors()
    member_client.post(f"/privacy/flags/{flag.pk}/withdraw/")
    assert not AbuserFlag.objects.exists()
