"""Browser journey: the queue statistics page and the "I know this person" button."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client
from playwright.sync_api import expect

from conftest import as_second_factor_session, sign_in
from sorority.accounts.models import RoleAssignment, User
from sorority.accounts.tests.factories import PASSWORD, UserFactory
from sorority.verification import services
from sorority.verification.models import AuditEntry, VerificationRequest
from sorority.verification.tests.conftest import submit_via_api
from tests.e2e.conftest import login
from tests.e2e.shots import shoot
from tests.e2e.test_moderation import SECRET, moderator_signed_in

CHECKLIST = dict.fromkeys(services.CHECKLIST, True)


def applicant(name: str) -> User:
    person = UserFactory(status=User.Status.APPLICANT, display_name=name)
    assert submit_via_api(sign_in(Client(), person)).status_code == 201
    return person


@pytest.mark.django_db(transaction=True)
def test_a_moderator_reads_the_statistics_and_hands_back_someone_she_knows(
    page, live_server, browser, settings
):
    settings.MODERATOR_ALLOW_TOTP = True
    moderator = UserFactory(status=User.Status.MEMBER, display_name="Modo")
    RoleAssignment.objects.create(user=moderator, role=RoleAssignment.Role.MODERATOR)
    TOTP.activate(moderator, SECRET)
    colleague = UserFactory(status=User.Status.MEMBER, display_name="Collègue")
    RoleAssignment.objects.create(user=colleague, role=RoleAssignment.Role.MODERATOR)
    as_second_factor_session(colleague)
    # One decision by a colleague, so that the page has figures.
    done = applicant("Déjà vue")
    case = VerificationRequest.objects.get(user=done)
    case = services.verification_claim(case=case, moderator=colleague)
    services.verification_decide(
        case=case,
        moderator=colleague,
        decision="refuse",
        reason="blurry",
        checklist=CHECKLIST,
    )
    known = applicant("Voisine")
    waiting = applicant("Inconnue")

    moderator_signed_in(page, live_server, moderator)
    page.goto(f"{live_server.url}/verification/moderation/")
    page.locator("#claim-next").click()
    page.wait_for_url("**/verification/moderation/*-*/")
    claimed = VerificationRequest.objects.get(assignee=moderator)
    assert claimed.user_id == known.pk  # oldest first
    page.goto(f"{live_server.url}/verification/moderation/")
    shoot(page, "queue-claimed")
    page.get_by_role("button", name="Je connais cette personne").click()
    page.wait_for_url("**/verification/moderation/")
    expect(page.locator(".messages")).to_contain_text("Rendue à la file")
    expect(page.locator("table.queue")).not_to_contain_text("Voisine")
    expect(page.locator("table.queue")).to_contain_text("Inconnue")
    entry = AuditEntry.objects.get(kind="recused")
    assert (entry.actor_id, entry.subject_id) == (moderator.pk, None)
    shoot(page, "queue-after-recusal")

    page.get_by_role("link", name="Statistiques de la file").click()
    page.wait_for_url("**/verification/moderation/stats/")
    expect(page.get_by_role("heading", name="Statistiques de la file")).to_be_visible()
    expect(page.locator("#stat-waiting")).to_contain_text("Vérifications en attente")
    expect(page.locator("#stat-waiting dd").first).to_have_text("2")
    expect(page.locator("#refusals")).to_contain_text("Les photos sont floues")
    expect(page.locator("#moderators")).to_contain_text("Collègue")
    body = page.content()
    for name in ("Voisine", "Inconnue", "Déjà vue"):
        assert name not in body
    shoot(page, "stats-7")
    page.locator("#window-30").click()
    page.wait_for_url("**/stats/?days=30")
    expect(page.locator("#window-30")).to_have_attribute("aria-current", "page")
    # No horizontal scroll on a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Her status page tells the applicant the wait honestly.
    other = browser.new_context(locale="fr-FR")
    applicant_page = other.new_page()
    login(applicant_page, live_server, waiting.email, PASSWORD)
    applicant_page.goto(f"{live_server.url}/verification/status/")
    expect(applicant_page.locator("#expected-wait")).to_contain_text("Attente estimée")
    shoot(applicant_page, "status-expected-wait")
    other.close()
