"""Browser journey: after a moderator's answer, every reason leads to a next step."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from conftest import sign_in
from sorority.accounts.models import RoleAssignment, User
from sorority.accounts.tests.factories import PASSWORD, UserFactory
from sorority.verification import services
from sorority.verification.models import VerificationRequest
from sorority.verification.tests.conftest import submit_via_api
from tests.e2e.conftest import login
from tests.e2e.shots import shoot

BASE = "/api/v1/moderation/verifications"


def answered(decision: str, reason: str, rounds: int = 1) -> User:
    """An applicant whose photos a moderator answered (through the real API)."""
    from allauth.mfa.totp.internal.auth import TOTP

    applicant = UserFactory(status=User.Status.APPLICANT)
    moderator = UserFactory(status=User.Status.MEMBER)
    RoleAssignment.objects.create(user=moderator, role=RoleAssignment.Role.MODERATOR)
    TOTP.activate(moderator, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    her = sign_in(Client(), applicant)
    mod = sign_in(Client(), moderator, second_factor=True)
    for _round in range(rounds):
        assert submit_via_api(her).status_code == 201
        case = VerificationRequest.objects.get(user=applicant, state="submitted")
        assert mod.post(f"{BASE}/{case.pk}/claim").status_code == 200
        response = mod.post(
            f"{BASE}/{case.pk}/decision",
            {
                "decision": decision,
                "reason": reason,
                "checklist": dict.fromkeys(services.CHECKLIST, False),
            },
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
    return applicant


def status_page(page, live_server, applicant: User) -> None:
    login(page, live_server, applicant.email, PASSWORD)
    page.wait_for_url("**/me/status/")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "reason", ["blurry", "document_expired", "suspected_impersonation"]
)
def test_asked_for_new_photos_she_retakes_them_from_the_button(
    page, live_server, reason
):
    applicant = answered("resubmit", reason)
    status_page(page, live_server, applicant)
    step = page.locator("#next-step")
    expect(step).to_have_attribute("data-step", "retake")
    expect(step.locator(".callout")).not_to_be_empty()
    shoot(page, f"status-retake-{reason}")
    page.get_by_role("link", name="Reprendre mes photos").click()
    page.wait_for_url("**/verification/")
    page.click("form[action='/verification/challenge/'] button[type=submit]")
    page.wait_for_url("**/verification/capture/")
    expect(page.locator("#take-photo")).to_be_visible()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("decision", "reason", "rounds", "words"),
    [
        ("refuse", "blurry", 1, "assez nettement"),
        ("refuse", "suspected_impersonation", 1, "n'a pas pu être acceptée"),
        ("resubmit", "blurry", 4, "après trois essais"),  # the limit
    ],
)
def test_refused_she_is_told_why_how_to_contest_and_what_became_of_her_data(
    page, live_server, settings, decision, reason, rounds, words
):
    settings.PRIVACY_CONTACT_EMAIL = "recours@example.org"
    applicant = answered(decision, reason, rounds)
    status_page(page, live_server, applicant)
    step = page.locator("#next-step")
    expect(step).to_have_attribute("data-step", "appeal")
    expect(step).to_contain_text(words)
    expect(step).not_to_contain_text("Reprenez")
    write = page.get_by_role("link", name="Écrire aux modératrices")
    expect(write).to_be_visible()
    assert write.get_attribute("href").startswith("mailto:recours@example.org?subject=")
    box = write.bounding_box()
    assert box["height"] >= 44
    expect(step).to_contain_text("ont été détruites")
    shoot(page, f"status-appeal-{reason}-{rounds}")
    page.get_by_role("link", name="Supprimer mon compte maintenant").click()
    page.wait_for_url("**/privacy/delete/")
    expect(page.locator("form[method=post]").last).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_after_withdrawing_she_can_start_again(page, live_server):
    applicant = UserFactory(status=User.Status.APPLICANT)
    her = sign_in(Client(), applicant)
    submit_via_api(her)
    her.post("/verification/withdraw/")
    status_page(page, live_server, applicant)
    expect(page.locator("#next-step")).to_have_attribute("data-step", "start")
    page.get_by_role("link", name="Commencer ma vérification").click()
    page.wait_for_url("**/verification/")
