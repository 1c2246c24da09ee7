"""Browser journey: a moderator decides ten verifications with the keyboard only."""

import io
import os
import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from conftest import sign_in
from sorority.accounts.models import RoleAssignment, User
from sorority.accounts.tests.factories import UserFactory
from sorority.verification import vault
from sorority.verification.models import (
    AuditEntry,
    DeletionReceipt,
    EvidenceDocument,
    VerificationRequest,
)
from tests.e2e.shots import shoot
from tests.e2e.test_moderation import SECRET, moderator_signed_in

CHECKS = 6
# (decision key, reason digit or None): approvals, new photos and refusals mixed.
PLAN = [
    ("a", None),
    ("r", "1"),
    ("x", "3"),
    ("a", None),
    ("a", None),
    ("r", "2"),
    ("x", "7"),
    ("a", None),
    ("r", "6"),
    ("x", "4"),
]


def jpeg(seed: int, size: tuple[int, int] = (1600, 1200)) -> bytes:
    """A drawn picture (no real person) large enough to need zooming."""
    image = Image.new("RGB", size, ((seed * 37) % 256, 120, 200))
    draw = ImageDraw.Draw(image)
    draw.ellipse(
        (size[0] // 4, size[1] // 6, 3 * size[0] // 4, 5 * size[1] // 6),
        fill=(230, 190, 160),
    )
    for row in range(0, size[1], 40):
        draw.text((20, row), f"ligne {row} · #{seed}", fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def submission(index: int) -> VerificationRequest:
    """One applicant's submission through the real API (challenge, 3 stills, both sides)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    applicant = UserFactory(
        status=User.Status.APPLICANT, display_name=f"Candidate {index}"
    )
    web = sign_in(Client(), applicant)
    challenge = web.post("/api/v1/verification/challenge").json()["id"]
    files = {
        "challenge_id": challenge,
        "declaration": "true",
        "selfie": [
            SimpleUploadedFile(f"s{i}.jpg", jpeg(index * 10 + i), "image/jpeg")
            for i in range(3)
        ],
        "id_front": SimpleUploadedFile("f.jpg", jpeg(index * 10 + 5), "image/jpeg"),
        "id_back": SimpleUploadedFile("b.jpg", jpeg(index * 10 + 6), "image/jpeg"),
    }
    assert web.post("/api/v1/verification/submission", files).status_code == 201
    return VerificationRequest.objects.get(user=applicant)


def wait_until(page, script: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, script
        page.wait_for_timeout(100)


# The code is on top at its own centre: not hidden under the quick-exit strip.
CODE_ON_TOP = (
    "() => { const r = document.getElementById('challenge-code').getBoundingClientRect();"
    " const el = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);"
    " return !!el && !!el.closest('#challenge-code'); }"
)
IMAGES_READY = (
    "() => [...document.querySelectorAll('.viewer-frame img')]"
    ".every(i => i.complete && i.naturalWidth > 0)"
)


def transcribe(page, family: str, given: str, born: str) -> None:
    page.keyboard.press("t")
    expect(page.locator("#id_family_name")).to_be_focused()
    page.keyboard.type(family)
    page.keyboard.press("Enter")
    expect(page.locator("#id_given_names")).to_be_focused()
    page.keyboard.type(given)
    page.keyboard.press("Enter")
    expect(page.locator("#id_birth_date")).to_be_focused()
    page.keyboard.type(born)
    page.keyboard.press("Escape")
    expect(page.locator("#console-title")).to_be_focused()


@pytest.mark.django_db(transaction=True)
def test_a_moderator_decides_ten_verifications_with_the_keyboard_only(
    page, live_server, settings
):
    settings.MODERATOR_ALLOW_TOTP = True
    moderator = UserFactory(status=User.Status.MEMBER, display_name="Modo")
    RoleAssignment.objects.create(user=moderator, role=RoleAssignment.Role.MODERATOR)
    TOTP.activate(moderator, SECRET)
    cases = [submission(index) for index in range(10)]
    page.set_viewport_size({"width": 1280, "height": 800})
    moderator_signed_in(page, live_server, moderator)
    page.goto(f"{live_server.url}/verification/moderation/")

    page.keyboard.press("n")  # claim the oldest
    for index, (key, digit) in enumerate(PLAN):
        case = cases[index]
        page.wait_for_url(f"**/verification/moderation/{case.pk}/")
        wait_until(page, IMAGES_READY)
        expect(page.locator("#console-title")).to_be_focused()
        expect(page.locator("#challenge-code")).to_have_text(case.challenge.code)
        if index:
            expect(page.locator("#console-live")).to_contain_text(
                "Décision enregistrée"
            )

        if index == 0:
            # Zoom and pan with the keyboard, and the buttons do the same.
            image = page.locator("#viewer-selfie img[data-doc=selfie_1]")
            fitted = image.evaluate("i => i.style.transform")
            page.keyboard.press("+")
            page.keyboard.press("+")
            zoomed = image.evaluate("i => i.style.transform")
            assert zoomed != fitted
            page.keyboard.press("ArrowRight")
            assert image.evaluate("i => i.style.transform") != zoomed
            page.keyboard.press("0")
            assert image.evaluate("i => i.style.transform") == fitted
            page.keyboard.press("s")  # next selfie
            expect(
                page.locator("#viewer-selfie img[data-doc=selfie_2]")
            ).to_be_visible()
            page.keyboard.press("d")  # the back of the document
            expect(page.locator("#viewer-paper img[data-doc=id_back]")).to_be_visible()
            expect(page.locator("#viewer-paper")).to_have_class("viewer active")
            # The challenge stays in sight when the page scrolls.
            page.evaluate("window.scrollTo(0, 5000)")
            expect(page.locator("#challenge-code")).to_be_in_viewport()
            wait_until(page, CODE_ON_TOP)
            expect(page.locator("#viewer-paper .viewer-frame")).to_be_in_viewport()
            if os.environ.get("E2E_SHOTS_DIR"):
                page.screenshot(
                    path=f"{os.environ['E2E_SHOTS_DIR']}/console-scrolled-1280.png"
                )
            page.evaluate("window.scrollTo(0, 0)")
            shoot(page, "console-review")
            page.locator("#console-title").focus()

        # Shortcuts never fire while typing: an "a" in a name is a letter.
        if key == "a":
            for _ in range(CHECKS):
                page.keyboard.press("j")
                page.keyboard.press(" ")
            expect(page.locator("[data-check]:checked")).to_have_count(CHECKS)
            if index == 3:
                transcribe(page, "Dup0nt", "Anna", "31/01/1990")
                page.keyboard.press("a")
                expect(page.locator("#decide")).to_be_focused()
                page.keyboard.press("Enter")
                error = page.locator("[data-error-for=family_name]")
                expect(error).to_contain_text("pas de chiffre")
                expect(page.locator("#form-errors")).to_be_focused()
                shoot(page, "console-error")
                page.keyboard.press("t")
                page.keyboard.press("Control+a")
                page.keyboard.type("Dupont")
                page.keyboard.press("Escape")
            else:
                transcribe(
                    page, f"Martin-{'abcdefghij'[index]}", "Anna Maria", "31/01/1990"
                )
            assert VerificationRequest.objects.get(pk=case.pk).state == "in_review"
        page.keyboard.press(key)
        if digit:
            expect(page.locator("#reasons")).to_be_visible()
            page.keyboard.press(digit)
        expect(page.locator("#decide")).to_be_focused()
        page.keyboard.press("Enter")

    page.wait_for_url("**/verification/moderation/")
    expect(page.locator(".messages")).to_contain_text("Aucune vérification")

    states = [VerificationRequest.objects.get(pk=case.pk).state for case in cases]
    expected = {"a": "approved", "r": "revision_requested", "x": "rejected"}
    assert states == [expected[key] for key, _digit in PLAN]
    reasons = [VerificationRequest.objects.get(pk=case.pk).reason for case in cases]
    assert reasons[1] == "blurry"
    assert reasons[2] == "face_mismatch"
    for case in cases:
        case.refresh_from_db()
        assert case.wrapped_dek is None
        assert (
            case.user.status
            == {
                "approved": "member",
                "revision_requested": "resubmit",
                "rejected": "refused",
            }[case.state]
        )
        assert (
            AuditEntry.objects.filter(
                kind="document_viewed", request_id=case.pk, actor_id=moderator.pk
            ).count()
            >= 5
        )
        assert AuditEntry.objects.filter(kind="purged", request_id=case.pk).exists()
    assert not EvidenceDocument.objects.exists()
    assert DeletionReceipt.objects.count() == 10
    assert not any(vault.list_folder(vault.folder(str(case.pk)))[1] for case in cases)


@pytest.mark.django_db(transaction=True)
def test_the_review_page_on_a_phone_zooms_with_buttons(browser, live_server, settings):
    settings.MODERATOR_ALLOW_TOTP = True
    moderator = UserFactory(status=User.Status.MEMBER, display_name="Modo")
    RoleAssignment.objects.create(user=moderator, role=RoleAssignment.Role.MODERATOR)
    TOTP.activate(moderator, SECRET)
    case = submission(0)
    context = browser.new_context(
        locale="fr-FR",
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
    )
    page = context.new_page()
    moderator_signed_in(page, live_server, moderator)
    page.goto(f"{live_server.url}/verification/moderation/")
    page.get_by_role(
        "button", name="Ouvrir la prochaine vérification en attente"
    ).click()
    page.wait_for_url(f"**/verification/moderation/{case.pk}/")
    wait_until(page, IMAGES_READY)
    image = page.locator("#viewer-paper img[data-doc=id_front]")
    fitted = image.evaluate("i => i.style.transform")
    page.locator("#viewer-paper").get_by_role("button", name="Agrandir").click()
    assert image.evaluate("i => i.style.transform") != fitted
    page.locator("#viewer-paper").get_by_role("button", name="Voir à droite").click()
    page.locator("#viewer-paper").get_by_role("button", name="Ajuster").click()
    assert image.evaluate("i => i.style.transform") == fitted
    page.evaluate("window.scrollTo(0, 1200)")
    expect(page.locator("#challenge-code")).to_be_in_viewport()
    wait_until(page, CODE_ON_TOP)
    if os.environ.get("E2E_SHOTS_DIR"):
        page.screenshot(path=f"{os.environ['E2E_SHOTS_DIR']}/console-scrolled-390.png")
    context.close()
