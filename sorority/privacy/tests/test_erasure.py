import io

import pytest
from django.core import mail
from django.core.management import call_command

from conftest import sign_in
from sorority.accounts.models import AccountEvent, Block, User
from sorority.accounts.services import block_create, user_grant_role, user_set_status
from sorority.accounts.tests.factories import PASSWORD, UserFactory
from sorority.privacy.models import ErasureRecord

pytestmark = pytest.mark.django_db

NAME = "Zephyrine Qwxlark"
EMAIL = "zephyrine.qwxlark@example.net"


def _dump() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue().lower()


@pytest.fixture
def her(db) -> User:
    user = UserFactory(display_name=NAME, email=EMAIL, exit_url="https://qwxlark-exit.example/")
    other = UserFactory()
    user_set_status(user=user, status=User.Status.MEMBER, actor=other)
    user_grant_role(user=user, role="association_staff")
    block_create(blocker=user, blocked=other)
    block_create(blocker=other, blocked=user)
    return user


def test_erasure_over_the_api_leaves_nothing_of_her_in_the_database(
    client, her, django_capture_on_commit_callbacks
):
    sign_in(client, her)
    client.get("/privacy/")  # a session row and a device row exist
    assert "qwxlark" in _dump()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(
            "/api/v1/me", {"password": PASSWORD}, content_type="application/json"
        )
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "erased"}
    assert "storage" in response["Clear-Site-Data"]
    dump = _dump()
    assert "qwxlark" not in dump
    assert "zephyrine" not in dump
    assert not User.objects.filter(email=EMAIL).exists()
    assert ErasureRecord.objects.get().reason == "requested"


def test_erasure_sends_one_neutral_confirmation_then_she_is_signed_out(
    client, her, django_capture_on_commit_callbacks
):
    sign_in(client, her)
    with django_capture_on_commit_callbacks(execute=True):
        client.delete("/api/v1/me", {"password": PASSWORD}, content_type="application/json")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [EMAIL]
    assert NAME not in message.body
    assert client.get("/api/v1/me/export").status_code == 401


def test_erasure_in_discreet_mode_uses_the_neutral_sender(
    client, her, settings, django_capture_on_commit_callbacks
):
    her.discreet_mode = True
    her.save()
    sign_in(client, her)
    with django_capture_on_commit_callbacks(execute=True):
        client.delete("/api/v1/me", {"password": PASSWORD}, content_type="application/json")
    message = mail.outbox[0]
    assert message.from_email == settings.DISCREET_FROM_EMAIL
    assert "sorority" not in (message.subject + message.body + message.from_email).lower()


def test_wrong_password_erases_nothing(client, her):
    sign_in(client, her)
    response = client.delete(
        "/api/v1/me", {"password": "not-her-password"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "reauthentication_failed"
    assert User.objects.filter(pk=her.pk).exists()


def test_without_password_or_recent_sign_in_erasure_is_refused(client, her):
    sign_in(client, her)  # force_login records no authentication
    response = client.delete("/api/v1/me")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "reauthentication_required"
    assert User.objects.filter(pk=her.pk).exists()


def test_a_recent_password_sign_in_is_enough_over_the_api(client, her):
    from allauth.account.internal.flows.login import record_authentication

    sign_in(client, her)
    session = client.session
    request = type("R", (), {"session": session})()
    record_authentication(request, her, "password")
    session.save()
    assert client.delete("/api/v1/me").status_code == 200
    assert not User.objects.filter(pk=her.pk).exists()


def test_malformed_body_is_a_clear_400(client, her):
    sign_in(client, her)
    response = client.delete(
        "/api/v1/me", {"password": ["x"]}, content_type="application/json"
    )
    assert response.status_code == 400
    assert User.objects.filter(pk=her.pk).exists()


def test_anonymous_cannot_erase(client):
    assert client.delete("/api/v1/me").status_code == 401


def test_banned_person_cannot_use_the_erasure_endpoint(client):
    banned = UserFactory(status=User.Status.BANNED)
    sign_in(client, banned)
    assert client.delete(
        "/api/v1/me", {"password": PASSWORD}, content_type="application/json"
    ).status_code == 403
    assert User.objects.filter(pk=banned.pk).exists()


def test_applicant_can_erase_her_account_from_the_page(
    applicant_client, applicant, django_capture_on_commit_callbacks
):
    page = applicant_client.get("/privacy/delete/")
    assert page.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = applicant_client.post(
            "/privacy/delete/", {"password": PASSWORD, "confirm": "on"}
        )
    assert response.status_code == 200
    assert "storage" in response["Clear-Site-Data"]
    assert not User.objects.filter(pk=applicant.pk).exists()
    assert len(mail.outbox) == 1
    assert applicant_client.get("/privacy/").status_code == 302


def test_page_refuses_a_wrong_password_or_missing_confirmation(member_client, member):
    wrong = member_client.post("/privacy/delete/", {"password": "nope", "confirm": "on"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["password"]
    unconfirmed = member_client.post("/privacy/delete/", {"password": PASSWORD})
    assert unconfirmed.context["form"].errors["confirm"]
    assert User.objects.filter(pk=member.pk).exists()


def test_other_peoples_data_survives_her_erasure(client, her):
    other = Block.objects.get(blocker=her).blocked
    sign_in(client, her)
    client.delete("/api/v1/me", {"password": PASSWORD}, content_type="application/json")
    assert User.objects.filter(pk=other.pk).exists()
    assert not Block.objects.exists()  # both directions went with her
    assert AccountEvent.objects.filter(user=other).exists()  # his own history stays


def test_anonymous_is_sent_to_login_from_the_delete_page(client):
    response = client.get("/privacy/delete/")
    assert response.status_code == 302


def test_a_sign_in_older_than_15_minutes_is_not_enough(client, her):
    import time_machine
    from allauth.account.internal.flows.login import record_authentication

    sign_in(client, her)
    with time_machine.travel("2026-01-01 10:00 +0000", tick=False):
        session = client.session
        request = type("R", (), {"session": session})()
        record_authentication(request, her, "password")
        session.save()
    with time_machine.travel("2026-01-01 10:16 +0000", tick=False):
        response = client.delete("/api/v1/me")
    assert response.status_code == 403
    assert User.objects.filter(pk=her.pk).exists()
