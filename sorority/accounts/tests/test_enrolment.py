"""Holding a moderator's password is not enough to become a full moderator.

Adding a factor to a moderator account needs a recent sign-in with a factor she
already has, or the one-time enrolment code an operator issued (`grant_role`,
`issue_enrolment_code`), used in the same session. Pages, headless browser and
headless app API alike.
"""

import io
import re
import time

import pytest
from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from sorority.accounts.models import EnrolmentCode, RoleAssignment, User
from sorority.accounts.tests.factories import PASSWORD, UserFactory
from sorority.accounts.tests.test_moderator_factor import SECRET, totp_now

pytestmark = pytest.mark.django_db

BROWSER = "/_allauth/browser/v1"
APP = "/_allauth/app/v1"
CODE_RE = re.compile(r"\b([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})\b")


@pytest.fixture
def new_moderator(db) -> User:
    """A member just named moderator: she has her password, no factor yet."""
    return UserFactory(status=User.Status.MEMBER)


def grant(user: User) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("grant_role", user.email, "moderator", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def password_login(user: User) -> Client:
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url != reverse("mfa_authenticate")
    return client


def json_post(client: Client, path: str, data: dict, **extra) -> object:
    return client.post(path, data, content_type="application/json", **extra)


def reauthenticate_with_password(client: Client) -> None:
    response = json_post(
        client, f"{BROWSER}/auth/reauthenticate", {"password": PASSWORD}
    )
    assert response.status_code == 200, response.content


# --- grant_role and the operator's code ---------------------------------------------


def test_grant_role_moderator_without_a_factor_warns_and_prints_a_code(new_moderator):
    out, err = grant(new_moderator)
    assert "no accepted second factor" in err
    code = CODE_RE.search(out).group(1)
    stored = EnrolmentCode.objects.get(user=new_moderator)
    assert code.replace("-", "") not in stored.code_hash
    assert len(stored.code_hash) == 64
    assert (stored.expires_at - stored.created_at).total_seconds() == pytest.approx(
        24 * 3600, abs=5
    )


def test_grant_role_moderator_with_a_factor_prints_no_code(new_moderator):
    TOTP.activate(new_moderator, SECRET)
    out, err = grant(new_moderator)
    assert not CODE_RE.search(out)
    assert err == ""
    assert not EnrolmentCode.objects.filter(user=new_moderator).exists()


def test_issue_enrolment_code_replaces_the_unused_one(new_moderator):
    first = CODE_RE.search(grant(new_moderator)[0]).group(1)
    out = io.StringIO()
    call_command("issue_enrolment_code", new_moderator.email, stdout=out, stderr=out)
    second = CODE_RE.search(out.getvalue()).group(1)
    assert first != second
    assert EnrolmentCode.objects.filter(user=new_moderator).count() == 1
    client = password_login(new_moderator)
    page = reverse("accounts:second_factor")
    assert client.post(page, {"code": first}).status_code == 400
    assert client.post(page, {"code": second}).status_code == 302


def test_issue_enrolment_code_refuses_an_account_without_a_privileged_role(member):
    with pytest.raises(CommandError):
        call_command("issue_enrolment_code", member.email, stdout=io.StringIO())


# --- the attack: her password, nothing else -----------------------------------------


ENROLMENT_PAGES = [
    "mfa_activate_totp",
    "mfa_add_webauthn",
    "mfa_generate_recovery_codes",
]


@pytest.mark.parametrize("name", ENROLMENT_PAGES)
def test_a_stolen_password_cannot_enrol_a_factor_on_the_pages(new_moderator, name):
    grant(new_moderator)  # the code went to her, not to whoever has her password
    attacker = password_login(new_moderator)
    reauthenticate_with_password(attacker)  # allauth's own step is not enough
    for response in (
        attacker.get(reverse(name)),
        attacker.post(reverse(name), {"code": totp_now(), "name": "mine"}),
    ):
        assert response.status_code == 302
        assert response.url == reverse("accounts:second_factor")
    assert not Authenticator.objects.filter(user=new_moderator).exists()
    page = attacker.get(reverse("accounts:second_factor")).content.decode()
    assert 'name="code"' in page
    assert "Code d&#x27;enrôlement" in page or "Code d'enrôlement" in page
    assert "Pour ajouter un second facteur à un compte de modératrice" in page


def _headless_attempts(prefix: str) -> list[tuple[str, str, dict]]:
    base = f"{prefix}/account/authenticators"
    return [
        ("get", f"{base}/totp", {}),
        ("post", f"{base}/totp", {"code": totp_now()}),
        ("get", f"{base}/webauthn", {}),
        ("post", f"{base}/webauthn", {"name": "k", "credential": {}}),
        ("post", f"{base}/recovery-codes", {}),
    ]


def _call(client: Client, method: str, path: str, data: dict, **extra) -> object:
    if method == "get":
        return client.get(path, **extra)
    return json_post(client, path, data, **extra)


def test_a_stolen_password_cannot_enrol_a_factor_over_the_browser_api(new_moderator):
    grant(new_moderator)
    attacker = password_login(new_moderator)
    reauthenticate_with_password(attacker)
    for method, path, data in _headless_attempts(BROWSER):
        response = _call(attacker, method, path, data)
        assert response.status_code == 403, (method, path)
        assert response.json()["error"]["code"] == "enrolment_step_required"
    assert not Authenticator.objects.filter(user=new_moderator).exists()


def _app_token(user: User) -> str:
    response = json_post(
        Client(), f"{APP}/auth/login", {"email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.content
    return response.json()["meta"]["session_token"]


def test_a_stolen_password_cannot_enrol_a_factor_over_the_app_api(new_moderator):
    grant(new_moderator)
    token = _app_token(new_moderator)
    client = Client()
    json_post(
        client,
        f"{APP}/auth/reauthenticate",
        {"password": PASSWORD},
        HTTP_X_SESSION_TOKEN=token,
    )
    for method, path, data in _headless_attempts(APP):
        response = _call(client, method, path, data, HTTP_X_SESSION_TOKEN=token)
        assert response.status_code == 403, (method, path)
        assert response.json()["error"]["code"] == "enrolment_step_required"
    assert not Authenticator.objects.filter(user=new_moderator).exists()


def test_a_member_still_adds_a_factor_with_her_password(member):
    client = password_login(member)
    response = client.get(f"{BROWSER}/account/authenticators/totp")
    assert response.status_code == 404  # "no TOTP yet": here is a secret
    assert response.json()["meta"]["secret"]


def test_a_code_used_in_another_session_opens_nothing_here(new_moderator):
    code = CODE_RE.search(grant(new_moderator)[0]).group(1)
    hers = password_login(new_moderator)
    attacker = password_login(new_moderator)
    assert (
        hers.post(reverse("accounts:second_factor"), {"code": code}).status_code == 302
    )
    response = attacker.get(f"{BROWSER}/account/authenticators/totp")
    assert response.status_code == 403
    # And it was one-time: entering it again, anywhere, is refused.
    again = attacker.post(reverse("accounts:second_factor"), {"code": code})
    assert again.status_code == 400


def test_wrong_codes_are_limited_per_session(new_moderator):
    grant(new_moderator)
    client = password_login(new_moderator)
    page = reverse("accounts:second_factor")
    statuses = [client.post(page, {"code": "AAAA-BBBB-CCCC-DDDD"}).status_code]
    statuses += [client.post(page, {"code": "AAAA"}).status_code for _ in range(5)]
    assert statuses[:5] == [400] * 5
    body = client.post(page, {"code": "x"}).content.decode()
    assert "Trop de tentatives" in body


def test_an_expired_code_is_refused(new_moderator):
    code = CODE_RE.search(grant(new_moderator)[0]).group(1)
    EnrolmentCode.objects.filter(user=new_moderator).update(
        expires_at="2000-01-01T00:00:00Z"
    )
    client = password_login(new_moderator)
    response = client.post(reverse("accounts:second_factor"), {"code": code})
    assert response.status_code == 400


# --- the legitimate ways -------------------------------------------------------------


def _web_totp_login(user: User, secret: str) -> Client:
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}
    )
    assert response.url == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
    assert response.status_code == 302
    return client


def test_with_the_operator_code_she_enrols_then_signs_in_as_a_moderator(new_moderator):
    code = CODE_RE.search(grant(new_moderator)[0]).group(1)
    client = password_login(new_moderator)
    response = client.post(reverse("accounts:second_factor"), {"code": code})
    assert response.url == reverse("mfa_index")

    offer = client.get(f"{BROWSER}/account/authenticators/totp")
    assert offer.status_code == 404
    secret = offer.json()["meta"]["secret"]
    reauthenticate_with_password(client)
    added = json_post(
        client, f"{BROWSER}/account/authenticators/totp", {"code": totp_now(secret)}
    )
    assert added.status_code == 200, added.content
    assert Authenticator.objects.filter(user=new_moderator, type="totp").exists()
    # This session still never used the factor: no moderator page yet.
    reports = reverse("moderation:reports")
    assert client.get(reports).url == reverse("accounts:second_factor")
    assert _web_totp_login(new_moderator, secret).get(reports).status_code == 200


def test_the_app_client_uses_the_code_through_the_api(new_moderator):
    code = CODE_RE.search(grant(new_moderator)[0]).group(1)
    token = _app_token(new_moderator)
    client = Client()
    totp = f"{APP}/account/authenticators/totp"
    assert client.get(totp, HTTP_X_SESSION_TOKEN=token).status_code == 403
    wrong = json_post(
        client,
        "/api/v1/me/enrolment-code",
        {"code": "NOPE"},
        HTTP_X_SESSION_TOKEN=token,
    )
    assert wrong.status_code == 400
    assert wrong.json()["error"]["code"] == "invalid_enrolment_code"
    used = json_post(
        client, "/api/v1/me/enrolment-code", {"code": code}, HTTP_X_SESSION_TOKEN=token
    )
    assert used.status_code == 200, used.content
    assert used.json() == {"may_add_second_factor": True}
    assert "sessionid" not in used.cookies
    offer = client.get(totp, HTTP_X_SESSION_TOKEN=token)
    assert offer.status_code == 404
    assert offer.json()["meta"]["secret"]


def test_a_recent_sign_in_with_her_factor_lets_her_add_another(moderator):
    client = sign_in(Client(), moderator, second_factor=True)
    path = f"{BROWSER}/account/authenticators/webauthn"
    assert client.get(path).status_code != 403
    assert client.get(reverse("mfa_add_webauthn")).status_code in (200, 302)
    assert client.get(reverse("mfa_add_webauthn")).get("Location") != reverse(
        "accounts:second_factor"
    )


def test_an_old_sign_in_with_her_factor_is_not_enough(moderator):
    client = sign_in(Client(), moderator, second_factor=True)
    session = client.session
    request = type("R", (), {"session": session})()
    for record in get_authentication_records(request, moderator):
        record["at"] = time.time() - 16 * 60
    session.save()
    response = client.get(f"{BROWSER}/account/authenticators/webauthn")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "enrolment_step_required"


def test_the_demo_moderator_still_signs_in_with_her_printed_totp_secret(tmp_path):
    from sorority.accounts.demo import DEMO_TOTP_SECRET

    out = io.StringIO()
    call_command("seed_demo", output=str(tmp_path / "demo.json"), stdout=out)
    assert DEMO_TOTP_SECRET in out.getvalue()
    moderator = User.objects.get(email="moderator@demo.sorority.local")
    assert RoleAssignment.objects.filter(user=moderator, role="moderator").exists()
    client = Client()
    response = client.post(
        reverse("account_login"),
        {"login": moderator.email, "password": "demo-moderator-2026"},
    )
    assert response.url == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": totp_now(DEMO_TOTP_SECRET)})
    assert client.get(reverse("moderation:reports")).status_code == 200
    assert client.get(reverse("associations:review_list")).status_code == 200


@pytest.mark.parametrize(
    "body", ["", "{not json", '{"code": 5}', '{"code": "' + "A" * 500 + '"}', "{}"]
)
def test_bad_enrolment_code_input_is_a_4xx(member_client, body):
    response = member_client.post(
        "/api/v1/me/enrolment-code", body, content_type="application/json"
    )
    assert 400 <= response.status_code < 500
    assert "error" in response.json()


def test_the_enrolment_code_endpoint_needs_a_sign_in(client):
    response = json_post(client, "/api/v1/me/enrolment-code", {"code": "AAAA"})
    assert response.status_code == 401


def test_an_overlong_code_on_the_page_is_a_400(new_moderator):
    grant(new_moderator)
    client = password_login(new_moderator)
    response = client.post(reverse("accounts:second_factor"), {"code": "A" * 500})
    assert response.status_code == 400
