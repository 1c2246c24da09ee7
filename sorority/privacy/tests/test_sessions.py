import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.test import Client, override_settings

from conftest import sign_in
from sorority.accounts.models import User
from sorority.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

MIDDLEWARE_AFTER = "django.contrib.auth.middleware.AuthenticationMiddleware"
IDLE = "sorority.privacy.middleware.ModeratorIdleTimeoutMiddleware"


def _with_idle_middleware(settings) -> None:
    if IDLE in settings.MIDDLEWARE:
        return
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(middleware.index(MIDDLEWARE_AFTER) + 1, IDLE)
    settings.MIDDLEWARE = middleware


def _two_devices(user: User) -> tuple[Client, Client]:
    phone, laptop = Client(), Client()
    for client, agent in ((phone, "Phone"), (laptop, "Laptop")):
        client.defaults["HTTP_USER_AGENT"] = agent
        response = client.post(
            "/accounts/login/", {"login": user.email, "password": PASSWORD}
        )
        assert response.status_code == 302, response.content
    return phone, laptop


def test_she_sees_her_devices(member):
    phone, _laptop = _two_devices(member)
    page = phone.get("/privacy/sessions/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Phone" in html
    assert "Laptop" in html


def test_sign_out_other_devices_keeps_this_one(member):
    phone, laptop = _two_devices(member)
    phone.post("/privacy/sessions/", {"scope": "others"})
    assert phone.get("/privacy/").status_code == 200
    assert laptop.get("/privacy/").status_code == 302
    assert UserSession.objects.filter(user=member).count() == 1


def test_sign_out_everywhere_ends_every_session(member):
    phone, laptop = _two_devices(member)
    response = phone.post("/privacy/sessions/", {"scope": "all"})
    assert response.status_code == 302
    assert "storage" in response["Clear-Site-Data"]
    assert phone.get("/privacy/").status_code == 302
    assert laptop.get("/privacy/").status_code == 302
    assert not UserSession.objects.filter(user=member).exists()


def test_she_cannot_see_someone_elses_devices(member):
    other = UserFactory()
    _two_devices(other)
    phone, _ = _two_devices(member)
    html = phone.get("/privacy/sessions/").content.decode()
    assert html.count("<tr>") == 3  # header + her two devices


def test_unknown_scope_is_a_400(member_client):
    assert member_client.post("/privacy/sessions/", {"scope": "x"}).status_code == 400


def test_sessions_page_refuses_anonymous_and_banned(client):
    assert client.get("/privacy/sessions/").status_code == 302
    sign_in(client, UserFactory(status=User.Status.BANNED))
    assert client.get("/privacy/sessions/").status_code == 403


def test_moderator_is_signed_out_after_15_idle_minutes(settings, client, moderator):
    _with_idle_middleware(settings)
    with time_machine.travel("2026-05-01 10:00 +0000", tick=False):
        sign_in(client, moderator, second_factor=True)
        assert client.get("/privacy/").status_code == 200
    with time_machine.travel("2026-05-01 10:14 +0000", tick=False):
        assert client.get("/privacy/").status_code == 200
    with time_machine.travel("2026-05-01 10:28 +0000", tick=False):
        assert client.get("/privacy/").status_code == 200  # 14 min since last
    with time_machine.travel("2026-05-01 10:43:01 +0000", tick=False):
        response = client.get("/privacy/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert "storage" in response["Clear-Site-Data"]
    assert client.get("/privacy/").status_code == 302


def test_members_are_not_subject_to_the_moderator_timeout(settings, client, member):
    _with_idle_middleware(settings)
    with time_machine.travel("2026-05-01 10:00 +0000", tick=False):
        sign_in(client, member)
        client.get("/privacy/")
    with time_machine.travel("2026-05-01 11:00 +0000", tick=False):
        assert client.get("/privacy/").status_code == 200


def test_static_and_service_worker_requests_do_not_count_as_activity(
    settings, client, moderator
):
    _with_idle_middleware(settings)
    with time_machine.travel("2026-05-01 10:00 +0000", tick=False):
        sign_in(client, moderator, second_factor=True)
        client.get("/privacy/")
    with time_machine.travel("2026-05-01 10:10 +0000", tick=False):
        client.get("/sw.js")
        client.get("/manifest.webmanifest")
    with time_machine.travel("2026-05-01 10:16 +0000", tick=False):
        assert client.get("/privacy/").status_code == 302


@override_settings(MODERATOR_IDLE_TIMEOUT=60)
def test_timeout_follows_the_setting(settings, client, moderator):
    _with_idle_middleware(settings)
    with time_machine.travel("2026-05-01 10:00 +0000", tick=False):
        sign_in(client, moderator, second_factor=True)
        client.get("/privacy/")
    with time_machine.travel("2026-05-01 10:02 +0000", tick=False):
        assert client.get("/privacy/").status_code == 302
