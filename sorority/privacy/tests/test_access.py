"""Who may use each privacy page: a table over roles (default deny)."""

import pytest
from django.test import Client

from conftest import sign_in
from sorority.accounts.models import RoleAssignment, User
from sorority.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGNED_IN_PAGES = [
    "/privacy/",
    "/privacy/export/",
    "/privacy/export/download/",
    "/privacy/export/view/",
    "/privacy/delete/",
    "/privacy/sessions/",
]
PUBLIC_PAGES = [
    "/privacy/notice/",
    "/privacy/terms/",
    "/manifest.webmanifest",
    "/sw.js",
]

ROLES = ["anonymous", "applicant", "member", "staff", "moderator", "banned"]


def _client(role: str) -> Client:
    client = Client()
    if role == "anonymous":
        return client
    status = {
        "applicant": User.Status.PENDING,
        "banned": User.Status.BANNED,
    }.get(role, User.Status.MEMBER)
    user = UserFactory(status=status)
    if role == "staff":
        RoleAssignment.objects.create(user=user, role="association_staff")
    if role == "moderator":
        RoleAssignment.objects.create(user=user, role="moderator")
    return sign_in(client, user)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", SIGNED_IN_PAGES)
def test_signed_in_pages(role, url):
    response = _client(role).get(url)
    expected = {"anonymous": 302, "banned": 403}.get(role, 200)
    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages(role, url):
    assert _client(role).get(url).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_flags_page_with_the_feature_on(role, settings):
    settings.ABUSER_FLAGS_ENABLED = True
    response = _client(role).get("/privacy/flags/")
    expected = {"anonymous": 302, "banned": 403, "applicant": 302}.get(role, 200)
    assert response.status_code == expected
    if role == "applicant":
        assert response["Location"] == "/me/status/"


@pytest.mark.parametrize("role", ROLES)
def test_flags_page_with_the_feature_off(role):
    response = _client(role).get("/privacy/flags/")
    expected = {"anonymous": 302, "banned": 403, "applicant": 302}.get(role, 404)
    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_export_api(role):
    response = _client(role).get("/api/v1/me/export")
    expected = {"anonymous": 401, "banned": 403}.get(role, 200)
    assert response.status_code == expected


def test_personal_pages_are_never_cached(member_client):
    for url in SIGNED_IN_PAGES:
        assert "no-store" in member_client.get(url)["Cache-Control"]


def _in(client, language: str):
    """Choose the page language as the language switch does (a cookie)."""
    client.cookies["django_language"] = language
    return client


def test_notice_and_terms_exist_in_french_and_english(client):
    for url in ("/privacy/notice/", "/privacy/terms/"):
        french = _in(client, "fr").get(url).content.decode()
        english = _in(client, "en").get(url).content.decode()
        assert french != english


def test_notice_says_what_happens_to_documents_and_ban_list_tags(client):
    english = _in(client, "en").get("/privacy/notice/")
    text = english.content.decode()
    for fact in ("destroyed when the moderator decides", "30 days", "ban list",
                 "they stay even if the person deletes her account", "Art. 9(2)(a)",
                 "12 months", "CNIL"):
        assert fact in text
    french = _in(client, "fr").get("/privacy/notice/")
    assert "détruits au moment de la décision" in french.content.decode()


def test_notice_follows_the_abuser_flag_setting(client, settings):
    assert "This feature is switched off" in _in(client, "en").get("/privacy/notice/").content.decode()
    settings.ABUSER_FLAGS_ENABLED = True
    assert "2 years" in _in(client, "en").get("/privacy/notice/").content.decode()


def test_privacy_pages_are_in_french_by_default(member_client):
    body = member_client.get("/privacy/").content.decode()
    assert "Mes données et ma confidentialité" in body
    assert "Activer le mode discret" in body
