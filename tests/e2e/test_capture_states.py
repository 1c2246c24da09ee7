"""Browser journey: every state of the capture flow offers exactly its next action."""

import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sorority.accounts.models import User
from sorority.accounts.tests.factories import PASSWORD, UserFactory
from sorority.verification.models import VerificationChallenge, VerificationRequest
from tests.e2e.conftest import login
from tests.e2e.shots import shoot

CONTROLS = ("#take-photo", "#switch-camera", "#skip-back", "#retake", "#send")


def wait_until(page, script: str, timeout: float = 15) -> None:
    """Poll with evaluate (wait_for_function needs eval, which our CSP forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, script
        page.wait_for_timeout(100)


def visible_controls(page) -> set[str]:
    return {selector for selector in CONTROLS if page.locator(selector).is_visible()}


def open_capture(page, live_server) -> None:
    applicant = UserFactory(status=User.Status.APPLICANT)
    login(page, live_server, applicant.email, PASSWORD)
    page.wait_for_url("**/me/status/")
    page.goto(f"{live_server.url}/verification/")
    page.click("form[action='/verification/challenge/'] button[type=submit]")
    page.wait_for_url("**/verification/capture/")
    expect(page.locator("#take-photo")).to_be_enabled()
    wait_until(page, "() => document.getElementById('camera-video').videoWidth > 0")


@pytest.mark.django_db(transaction=True)
def test_each_capture_state_shows_only_its_next_action_and_no_back_side_sends(
    page, live_server
):
    open_capture(page, live_server)
    take = page.locator("#take-photo")
    thumbs = page.locator("#thumbs img")
    progress = page.locator("#capture-progress")
    shoot(page, "capture-selfie-0")

    # Selfies: take (and switch camera); start-again once something is taken.
    assert visible_controls(page) == {"#take-photo", "#switch-camera"}
    expect(progress).to_have_text("Prenez le selfie 1 sur 3.")
    take.click()
    expect(thumbs).to_have_count(1)
    # The bug: "no back side" (and Send) were visible here and led nowhere.
    assert visible_controls(page) == {"#take-photo", "#switch-camera", "#retake"}
    expect(progress).to_contain_text("Prenez le selfie 2 sur 3.")
    take.click()
    take.click()
    expect(thumbs).to_have_count(3)

    # Document front: still no "no back side" before the front is taken.
    expect(page.locator("#step-document")).to_be_visible()
    expect(page.locator("#step-selfie")).to_be_hidden()
    expect(page.locator("#document-side")).to_have_text("Recto du document")
    assert visible_controls(page) == {"#take-photo", "#switch-camera", "#retake"}
    take.click()
    expect(thumbs).to_have_count(4)

    # Document back: take it, or say there is none.
    expect(page.locator("#document-side")).to_have_text("Verso du document")
    assert visible_controls(page) == {
        "#take-photo",
        "#switch-camera",
        "#skip-back",
        "#retake",
    }
    shoot(page, "capture-back")
    page.get_by_role("button", name="Mon document n'a pas de verso").click()

    # Review: only start again or send; Send pressed too early says what is missing.
    expect(page.locator("#step-declaration")).to_be_visible()
    assert visible_controls(page) == {"#retake", "#send"}
    page.click("#send")
    errors = page.locator("#send-errors")
    expect(errors).to_be_visible()
    expect(errors).to_contain_text("Cochez la déclaration pour envoyer vos photos.")
    expect(errors.locator("li")).to_have_count(1)
    expect(page.locator("#declaration-error")).to_be_visible()
    shoot(page, "capture-review-error")
    assert not VerificationRequest.objects.filter(state="submitted").exists()

    page.check("#declaration")
    expect(page.locator("#declaration-error")).to_be_hidden()
    page.click("#send")
    page.wait_for_url("**/verification/status/")
    case = VerificationRequest.objects.get()
    assert case.state == "submitted"
    assert sorted(case.documents.values_list("kind", flat=True)) == [
        "id_front",
        "selfie_1",
        "selfie_2",
        "selfie_3",
    ]


@pytest.mark.django_db(transaction=True)
def test_starting_the_photos_again_returns_to_the_first_selfie(page, live_server):
    open_capture(page, live_server)
    take = page.locator("#take-photo")
    for count in range(1, 5):
        take.click()
        expect(page.locator("#thumbs img")).to_have_count(count)
    take.click()  # the back: straight to the review
    expect(page.locator("#step-declaration")).to_be_visible()
    page.click("#retake")
    expect(page.locator("#thumbs img")).to_have_count(0)
    expect(page.locator("#step-selfie")).to_be_visible()
    expect(page.locator("#step-declaration")).to_be_hidden()
    expect(take).to_be_enabled()
    assert visible_controls(page) == {"#take-photo", "#switch-camera"}


@pytest.mark.django_db(transaction=True)
def test_a_refused_upload_is_said_beside_send_and_send_works_again(page, live_server):
    open_capture(page, live_server)
    take = page.locator("#take-photo")
    for count in range(1, 6):
        take.click()
        expect(page.locator("#thumbs img")).to_have_count(count)
    # The server refuses: the challenge ran out meanwhile (e.g. a slow phone).
    VerificationChallenge.objects.update(expires_at=timezone.now())
    page.check("#declaration")
    page.click("#send")
    errors = page.locator("#send-errors")
    expect(errors).to_contain_text("Les photos n'ont pas pu être envoyées :")
    assert (
        len(errors.inner_text()) > len("Les photos n'ont pas pu être envoyées :") + 40
    )
    expect(page.locator("#send")).to_be_enabled()
