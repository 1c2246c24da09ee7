"""Sign-up, e-mail code confirmation and login, on the web and through the app API."""

import json
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from sorority.accounts.models import AccountEvent, RoleAssignment, User
from sorority.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "email": "lea@example.org",
    "password1": "a-long-passphrase-42",
    "password2": "a-long-passphrase-42",
    "display_name": "Léa",
    "consent": "on",
}


def _code_from_mail() -> str:
    body = mail.outbox[-1].body
    return re.search(r"^\s*([A-Z0-9]{4}-?[A-Z0-9]{4}|[A-Z0-9]{6})\s*$", body, re.MULTILINE).group(1)


def test_signup_confirm_code_then_pending_status_page(client):
    response = client.post(reverse("account_signup"), GOOD)
    assert response.status_code == 302
    user = User.objects.get(email="lea@example.org")
    assert user.display_name == "Léa"
    assert user.status == User.Status.APPLICANT
    assert user.consented_at is not None
    assert AccountEvent.objects.filter(user=user, kind="signed_up").exists()
    response = client.post(response["Location"], {"code": _code_from_mail()})
    assert response.status_code == 302
    home = client.get(reverse("core:home"), follow=True)
    assert home.redirect_chain[-1][0] == reverse("accounts:status")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("display_name", ""),
        ("display_name", "x" * 10_000),
        ("display_name", "me@example.org"),
        ("email", "not-an-email"),
        ("email", ""),
        ("consent", ""),
        ("password2", "different-passphrase-1"),
    ],
)
def test_signup_bad_input_gets_a_form_error_not_a_500(client, field, value):
    data = {**GOOD, field: value}
    if value == "":
        data.pop(field)
    response = client.post(reverse("account_signup"), data)
    assert response.status_code == 200  # the form again, with its errors
    assert response.context["form"].errors
    assert not User.objects.filter(email=GOOD["email"]).exists()


APP = "/_allauth/app/v1"


def test_app_signup_with_display_name_and_consent(client):
    response = client.post(
        f"{APP}/auth/signup",
        {"email": "nour@example.org", "password": "a-long-passphrase-42", "display_name": "Nour", "consent": True},
        content_type="application/json",
    )
    assert response.status_code == 401  # e-mail verification pending, as allauth says
    assert User.objects.get(email="nour@example.org").display_name == "Nour"
    flows = {f["id"] for f in response.json()["data"]["flows"] if f.get("is_pending")}
    assert "verify_email" in flows
    token = response.json()["meta"]["session_token"]
    response = client.post(
        f"{APP}/auth/email/verify",
        {"key": _code_from_mail()},
        content_type="application/json",
        HTTP_X_SESSION_TOKEN=token,
    )
    assert response.status_code == 200
    me = client.get("/api/v1/me", HTTP_X_SESSION_TOKEN=response.json()["meta"]["session_token"])
    assert me.status_code == 200
    assert me.json()["status"] == "applicant"


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "a@example.org", "password": "a-long-passphrase-42", "consent": True},
        {"email": "a@example.org", "password": "a-long-passphrase-42", "display_name": "x" * 10_000, "consent": True},
        {"email": "not-an-email", "password": "a-long-passphrase-42", "display_name": "A", "consent": True},
        {"email": "a@example.org", "password": "a-long-passphrase-42", "display_name": "Ana"},
    ],
)
def test_app_signup_bad_input_is_a_400(client, payload):
    response = client.post(f"{APP}/auth/signup", payload, content_type="application/json")
    assert response.status_code == 400
    assert not User.objects.filter(email="a@example.org").exists()


def test_app_signup_with_a_wrong_content_type_is_a_4xx(client):
    response = client.post(
        f"{APP}/auth/signup", "email=a@example.org", content_type="text/plain"
    )
    assert 400 <= response.status_code < 500


def test_api_errors_always_use_the_json_envelope(member_client):
    response = member_client.generic("PATCH", "/api/v1/me", "{}", content_type="application/json")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    response = member_client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_login_with_the_web_form(client, member, password):
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": password}
    )
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200


def test_after_five_failed_logins_even_the_right_password_is_refused(client, member, password):
    for _ in range(5):
        response = client.post(
            reverse("account_login"), {"login": member.email, "password": "wrong-wrong"}
        )
        assert response.status_code == 200
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": password}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)


def test_admin_login_is_locked_out_after_the_axes_limit(client, settings):
    admin = UserFactory(is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": admin.email, "password": "wrong-wrong"})
    response = client.post(url, {"username": admin.email, "password": "wrong-wrong"})
    assert response.status_code == 429


def test_unknown_and_known_emails_get_the_same_password_reset_answer(client, member):
    known = client.post(reverse("account_reset_password"), {"email": member.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_grant_role_command_gives_a_role_once(member, capsys):
    call_command("grant_role", member.email, "moderator")
    call_command("grant_role", member.email, "moderator")
    assert RoleAssignment.objects.filter(user=member, role="moderator").count() == 1
    assert AccountEvent.objects.filter(user=member, kind="role_granted").count() == 1
    call_command("grant_role", member.email, "moderator", "--revoke")
    assert not RoleAssignment.objects.filter(user=member).exists()


def test_grant_role_to_an_unknown_email_fails_clearly():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("grant_role", "nobody@example.org", "moderator")


def test_settings_page_rejects_a_display_name_with_an_email(member_client, member):
    response = member_client.post(
        reverse("accounts:settings"), {"display_name": "me@example.org", "exit_url": ""}
    )
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.display_name != "me@example.org"


def test_settings_page_saves_discreet_mode(member_client, member):
    response = member_client.post(
        reverse("accounts:settings"),
        {"display_name": "Renamed", "discreet_mode": "on", "exit_url": "https://example.org/"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.discreet_mode is True
    assert member.display_name == "Renamed"


def test_banned_person_cannot_sign_in(client, password):
    banned = UserFactory(status=User.Status.BANNED, is_active=False)
    response = client.post(
        reverse("account_login"), {"login": banned.email, "password": password}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302)


def test_me_endpoint_does_not_accept_forged_session_tokens(client):
    response = client.get("/api/v1/me", HTTP_X_SESSION_TOKEN="forged-token")
    assert response.status_code == 401
    assert json.loads(response.content)["error"]["code"] == "not_authenticated"


def test_a_status_change_does_not_lift_a_suspension(member):
    from sorority.accounts.services import user_reinstate, user_set_status, user_suspend

    user_suspend(user=member)
    user_set_status(user=member, status=User.Status.PENDING)
    member.refresh_from_db()
    assert member.is_active is False
    user_reinstate(user=member)
    member.refresh_from_db()
    assert member.is_active is True
    user_set_status(user=member, status=User.Status.BANNED)
    user_reinstate(user=member)
    member.refresh_from_db()
    assert member.is_active is False
    assert list(member.events.values_list("kind", flat=True)).count("suspended") == 1
