"""Browser journey: a session that expired on a page whose form posts to a POST-only
address; signing in again lands on a usable page, never on "HTTP ERROR 405"."""

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from sorority.accounts.models import User
from sorority.accounts.tests.factories import PASSWORD, UserFactory
from sorority.verification.models import VerificationChallenge
from tests.e2e.conftest import login
from tests.e2e.shots import shoot


def sign_in_on_the_login_page(page, email: str) -> None:
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").first.click()


@pytest.mark.django_db(transaction=True)
def test_signing_in_again_after_an_expired_session_lands_on_the_form_page(
    page, live_server
):
    applicant = UserFactory(status=User.Status.APPLICANT)
    login(page, live_server, applicant.email, PASSWORD)
    page.wait_for_url("**/me/status/")
    page.goto(f"{live_server.url}/verification/")
    Session.objects.all().delete()  # the session expires while she reads the advice

    ready = "form[action='/verification/challenge/'] button[type=submit]"
    page.click(ready)
    page.wait_for_url("**/accounts/login/?next=/verification/challenge/")
    responses = []
    page.on("response", lambda response: responses.append(response.status))
    sign_in_on_the_login_page(page, applicant.email)
    page.wait_for_url(f"{live_server.url}/verification/")
    assert 405 not in responses
    expect(page.locator(".messages")).to_contain_text("Rien n'a été envoyé.")
    shoot(page, "after-expired-session")
    assert not VerificationChallenge.objects.exists()

    # The page is usable: the same button now draws the challenge.
    page.click(ready)
    page.wait_for_url("**/verification/capture/")
    assert VerificationChallenge.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_expired_session_on_the_discreet_switch_lands_on_a_page(page, live_server):
    member = UserFactory(status=User.Status.MEMBER)
    login(page, live_server, member.email, PASSWORD)
    page.wait_for_url("**/home/")
    Session.objects.all().delete()
    page.get_by_role("button", name="Mode discret").click()
    page.wait_for_url("**/accounts/login/**")
    sign_in_on_the_login_page(page, member.email)
    page.wait_for_url(f"{live_server.url}/privacy/")
    expect(page.locator("h1")).to_be_visible()
    assert "405" not in page.title()
    member.refresh_from_db()
    assert member.discreet_mode is False
