"""Journeys of the foundation, in real Chromium."""

import re

import pytest
from django.core import mail

from sorority.accounts.models import User
from sorority.accounts.tests.factories import PASSWORD, UserFactory
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def _code() -> str:
    body = mail.outbox[-1].body
    return re.search(r"^\s*([A-Z0-9]{4}-?[A-Z0-9]{4})\s*$", body, re.MULTILINE).group(1)


def test_sign_up_confirm_the_code_and_see_only_the_pending_page(page, live_server):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Rejoindre la communauté").click()
    page.get_by_role("link", name="J'ai compris, créer mon compte").click()
    page.fill("input[name=email]", "sara@example.org")
    page.fill("input[name=password1]", "a-long-passphrase-42")
    page.fill("input[name=password2]", "a-long-passphrase-42")
    page.fill("input[name=display_name]", "Sara")
    page.check("input[name=consent]")
    page.locator("form:has(input[name=display_name]) button[type=submit]").first.click()
    page.wait_for_url("**/confirm-email/**")
    page.fill("input[name=code]", _code())
    page.locator("form:has(input[name=code]) button[type=submit]").first.click()
    page.wait_for_url("**/me/status/")
    assert "Ma vérification" in page.content()
    assert User.objects.get(email="sara@example.org").status == "applicant"
    # Nothing else: the member home sends her back to her status page.
    page.goto(live_server.url + "/home/")
    page.wait_for_url("**/me/status/")
    # Then she signs out and in again: still only the pending page.
    page.context.clear_cookies()
    login(page, live_server, "sara@example.org", "a-long-passphrase-42")
    page.wait_for_url("**/me/status/")


def test_quick_exit_ends_the_session_and_back_shows_no_member_page(page, live_server):
    member = UserFactory(status=User.Status.MEMBER, display_name="Maëlle")
    referers = []
    page.context.route(
        "https://www.google.com/**",
        lambda route: (
            referers.append(route.request.headers.get("referer")),
            route.fulfill(status=200, content_type="text/html", body="<title>Météo</title>"),
        ),
    )
    login(page, live_server, member.email, PASSWORD)
    page.wait_for_url("**/home/")
    assert "Maëlle" in page.content()
    page.click("#quick-exit")
    page.wait_for_url("https://www.google.com/**")
    assert referers == [None]
    page.go_back()
    page.wait_for_load_state()
    assert "Maëlle" not in page.content()
    assert "/accounts/login/" in page.url or page.url.startswith("https://www.google.com") or page.url == "about:blank"
    # The session is gone on the server: the member home asks for a login.
    page.goto(live_server.url + "/home/")
    assert "/accounts/login/" in page.url


def test_shift_three_times_exits_too(page, live_server):
    page.goto(live_server.url + "/safety/")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.wait_for_url("https://www.google.com/**")


def test_quick_exit_is_the_first_thing_the_keyboard_reaches(page, live_server):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "quick-exit"


def test_switching_language_to_english_and_back(page, live_server):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Quick exit" in page.content()
    page.get_by_role("button", name="Français").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
