"""Browser journey: live capture with Chromium's fake camera, review, membership."""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from playwright.sync_api import expect

from sorority.accounts.models import RoleAssignment, User
from sorority.accounts.tests.factories import PASSWORD, UserFactory
from sorority.verification.models import (
    AuditEntry,
    EvidenceDocument,
    VerificationRequest,
)
from tests.e2e.conftest import login

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def signed_in(page, live_server, email: str, lands_on: str) -> None:
    login(page, live_server, email, PASSWORD)
    page.wait_for_url(lands_on)


def wait_until(page, script: str, timeout: float = 15) -> None:
    """Poll a predicate with evaluate (wait_for_function needs eval, which our CSP forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, script
        page.wait_for_timeout(100)


def totp_now() -> str:
    return format_hotp_value(hotp_value(SECRET, int(time.time()) // 30))


@pytest.mark.django_db(transaction=True)
def test_applicant_captures_live_moderator_approves_and_she_becomes_a_member(
    page, browser, live_server, settings
):
    settings.MODERATOR_ALLOW_TOTP = True
    applicant = UserFactory(status=User.Status.APPLICANT, display_name="Capucine")
    moderator = UserFactory(status=User.Status.MEMBER, display_name="Modo")
    RoleAssignment.objects.create(user=moderator, role=RoleAssignment.Role.MODERATOR)
    TOTP.activate(moderator, SECRET)

    # Applicant: advice, challenge, three live stills, the document, declaration.
    signed_in(page, live_server, applicant.email, "**/me/status/")
    page.goto(f"{live_server.url}/verification/")
    page.click("form[action='/verification/challenge/'] button[type=submit]")
    page.wait_for_url("**/verification/capture/")
    assert page.locator("input[type=file]").count() == 0
    code = page.locator("#challenge-code").inner_text().strip()
    assert len(code) == 6
    take = page.locator("#take-photo")
    take.wait_for(state="visible")
    expect(take).to_be_enabled()
    wait_until(page, "() => document.getElementById('camera-video').videoWidth > 0")
    thumbs = page.locator("#thumbs img")
    for count in range(1, 4):
        take.click()
        expect(thumbs).to_have_count(count)
    assert page.locator("#step-document").is_visible()
    take.click()  # front
    expect(thumbs).to_have_count(4)
    take.click()  # back
    expect(thumbs).to_have_count(5)
    page.check("#declaration")
    page.click("#send")
    page.wait_for_url("**/verification/status/")
    case = VerificationRequest.objects.get(user=applicant)
    assert case.state == "submitted"
    assert case.documents.count() == 5

    # Moderator: password, then the TOTP code, then the queue.
    context = browser.new_context(locale="fr-FR")
    mod = context.new_page()
    signed_in(mod, live_server, moderator.email, "**/2fa/**")
    mod.wait_for_selector("input[name=code]")
    mod.fill("input[name=code]", totp_now())
    mod.press("input[name=code]", "Enter")
    mod.wait_for_url(lambda url: "/2fa/" not in url)
    mod.goto(f"{live_server.url}/verification/moderation/")
    assert "Capucine" in mod.content()
    mod.click(f"form[action='/verification/moderation/{case.pk}/claim/'] button")
    mod.wait_for_url(f"**/verification/moderation/{case.pk}/")
    assert code in mod.locator("#instruction").inner_text()
    images = mod.locator(".viewer-frame img")
    assert images.count() == 5
    wait_until(
        mod,
        "() => [...document.querySelectorAll('.viewer-frame img')]"
        ".every(i => i.complete && i.naturalWidth > 0)",
    )
    assert AuditEntry.objects.filter(kind="document_viewed", actor_id=moderator.pk).count() == 5
    for name in ("gesture_correct", "code_correct", "same_person", "document_physical",
                 "document_not_expired", "identity_transcribed"):
        mod.check(f"input[name={name}]")
    mod.fill("input[name=family_name]", "Exemple")
    mod.fill("input[name=given_names]", "Capucine")
    mod.fill("input[name=birth_date]", "01/02/1990")
    mod.check("input[name=decision][value=approve]")
    mod.click("#decide")
    mod.wait_for_url("**/verification/moderation/")
    context.close()

    case.refresh_from_db()
    assert case.state == "approved"
    assert not EvidenceDocument.objects.filter(request=case).exists()

    # The applicant sees she is a member.
    page.goto(f"{live_server.url}/verification/status/")
    expect(page.locator("#receipts li")).to_have_count(1)  # "5 photos deleted on <date>"
    applicant.refresh_from_db()
    assert applicant.status == User.Status.MEMBER
    page.goto(f"{live_server.url}/me/status/")  # members are sent on to the community
    page.wait_for_url("**/home/")


@pytest.mark.django_db(transaction=True)
def test_a_browser_without_camera_permission_gets_a_clear_message(browser, live_server):
    applicant = UserFactory(status=User.Status.APPLICANT)
    context = browser.new_context(locale="fr-FR", permissions=[])
    page = context.new_page()
    page.add_init_script(
        "navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('no', 'NotAllowedError'));"
    )
    signed_in(page, live_server, applicant.email, "**/me/status/")
    page.goto(f"{live_server.url}/verification/")
    page.click("form[action='/verification/challenge/'] button[type=submit]")
    page.wait_for_url("**/verification/capture/")
    message = page.locator("#camera-message")
    message.wait_for(state="visible")
    assert message.inner_text().strip()
    assert page.locator("#take-photo").is_disabled()
    context.close()
