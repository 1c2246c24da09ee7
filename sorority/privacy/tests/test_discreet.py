import re

import pytest
from django.conf import settings as django_settings
from django.core import mail

from conftest import sign_in
from sorority.accounts.models import User
from sorority.accounts.tests.factories import UserFactory
from sorority.core.notify import send_notification

pytestmark = pytest.mark.django_db

# Words that would tell an onlooker what this site is (docs/security.md §38).
GIVEAWAYS = (
    "sorority",
    "sororit",
    "violence",
    "abri",
    "refuge",
    "victim",
    "abus",
    "agresseur",
    "conjugal",
    "domestic",
    "shelter",
    "battu",
    "femmes",
)


def _giveaways(text: str) -> list[str]:
    lowered = text.lower()
    return [word for word in GIVEAWAYS if word in lowered]


def _title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    assert match, "no <title>"
    return match.group(1)


def _icon(html: str) -> str:
    match = re.search(r'<link rel="icon" href="([^"]+)"', html)
    return match.group(1) if match else ""


@pytest.fixture
def discreet_member(db) -> User:
    return UserFactory(status=User.Status.MEMBER, discreet_mode=True)


def test_one_tap_switches_discreet_mode_on_and_off(member_client, member):
    response = member_client.post("/privacy/discreet/", {"next": "/home/"})
    assert response.status_code == 302
    assert response["Location"] == "/home/"
    member.refresh_from_db()
    assert member.discreet_mode is True
    member_client.post("/privacy/discreet/")
    member.refresh_from_db()
    assert member.discreet_mode is False


def test_switch_never_redirects_to_another_site(member_client):
    response = member_client.post("/privacy/discreet/", {"next": "https://evil.example/"})
    assert response["Location"] == "/privacy/"


def test_switch_answers_htmx_with_a_redirect_header(member_client):
    response = member_client.post(
        "/privacy/discreet/", {"next": "/home/"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/home/"


def test_applicant_may_switch_discreet_mode_too(applicant_client, applicant):
    assert applicant_client.post("/privacy/discreet/").status_code == 302
    applicant.refresh_from_db()
    assert applicant.discreet_mode


def test_switch_refuses_anonymous_get_and_banned(client):
    assert client.post("/privacy/discreet/").status_code == 302  # to login
    banned = UserFactory(status=User.Status.BANNED)
    sign_in(client, banned)
    assert client.post("/privacy/discreet/").status_code == 403
    banned.refresh_from_db()
    assert banned.discreet_mode is False


def test_switch_is_post_only(member_client, member):
    # A GET switches nothing: it is sent on to the privacy page, never a bare 405.
    response = member_client.get("/privacy/discreet/")
    assert response.status_code == 302
    assert response.url == "/privacy/"
    member.refresh_from_db()
    assert member.discreet_mode is False


@pytest.mark.parametrize(
    "url", ["/", "/home/", "/me/settings/", "/privacy/", "/privacy/export/", "/offline/"]
)
def test_pages_in_discreet_mode_have_a_neutral_title_and_icon(client, discreet_member, url):
    sign_in(client, discreet_member)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert _giveaways(_title(html)) == []
    assert "neutral" in _icon(html)


def test_pages_outside_discreet_mode_show_the_platform_name(member_client):
    html = member_client.get("/home/").content.decode()
    assert "Sorority" in _title(html)


def test_manifest_is_neutral_in_discreet_mode(client, discreet_member):
    sign_in(client, discreet_member)
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    assert _giveaways(response.content.decode()) == []
    manifest = response.json()
    assert "neutral" in manifest["icons"][0]["src"]


def test_manifest_names_the_platform_otherwise(client):
    manifest = client.get("/manifest.webmanifest").json()
    assert manifest["name"] == "Sorority"
    assert manifest["start_url"] == "/"


def test_notifications_in_discreet_mode_have_a_neutral_sender_and_subject(discreet_member):
    send_notification(
        user=discreet_member,
        subject="Sorority: new message about your safe place",
        body="Someone wrote to you about shelter.",
    )
    message = mail.outbox[0]
    assert message.from_email == django_settings.DISCREET_FROM_EMAIL
    assert _giveaways(message.from_email + message.subject + message.body) == []


def test_service_worker_is_served_from_the_root_with_its_scope_header(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    script = response.content.decode()
    assert '"/offline/"' in script
    assert "/static/css/site.css" in script


def test_service_worker_caches_static_assets_and_the_offline_page_only(client):
    script = client.get("/sw.js").content.decode()
    # Every cache write is for the offline page or a static asset.
    puts = re.findall(r"cache\.put\(([^,]+),", script)
    assert puts == ["OFFLINE_URL", "request"]
    assert "url.pathname.startsWith(STATIC_PREFIX)" in script
    # Pages (navigations) are never written to the cache: network only.
    navigate = script.split('request.mode === "navigate"')[1].split("return;")[0]
    assert "cache.put" not in navigate
    assert "localStorage" not in script
    assert "indexedDB" not in script


def test_service_worker_changes_when_discreet_mode_changes(client, discreet_member):
    anonymous = client.get("/sw.js").content
    sign_in(client, discreet_member)
    discreet = client.get("/sw.js").content
    assert anonymous != discreet
    assert b'"same-origin"' in discreet
    assert b'"omit"' in anonymous


def test_registration_script_has_no_storage_writes():
    from pathlib import Path

    script = (
        Path(__file__).resolve().parents[1] / "static" / "privacy" / "register-sw.js"
    ).read_text()
    assert "localStorage" not in script
    assert "sessionStorage" not in script
