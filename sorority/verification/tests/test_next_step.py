"""Every moderator answer leaves the applicant a next step on her status pages."""

import pytest
from django.urls import reverse

from sorority.verification.models import DECISION_REASONS, VerificationRequest
from sorority.verification.reasons import RESUBMIT_MESSAGES, next_step
from sorority.verification.tests.conftest import submit_via_api

pytestmark = pytest.mark.django_db

BASE = "/api/v1/moderation/verifications"
PAGES = ("/me/status/", "/verification/status/")


def decided(applicant_web, moderator_client, decision: str, reason: str) -> None:
    assert submit_via_api(applicant_web).status_code == 201
    case = VerificationRequest.objects.get(state="submitted")
    assert moderator_client.post(f"{BASE}/{case.pk}/claim").status_code == 200
    from sorority.verification import services

    response = moderator_client.post(
        f"{BASE}/{case.pk}/decision",
        {
            "decision": decision,
            "reason": reason,
            "checklist": dict.fromkeys(services.CHECKLIST, False),
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("reason", DECISION_REASONS)
def test_a_request_for_new_photos_gives_the_reason_and_a_retake_button(
    applicant_web, moderator_client, reason
):
    decided(applicant_web, moderator_client, "resubmit", reason)
    for path in PAGES:
        body = applicant_web.get(path).content.decode()
        assert 'data-step="retake"' in body
        assert f'id="next-step-action" href="{reverse("verification:start")}"' in body
        assert "Reprendre mes photos" in body
        assert str(next_step("resubmit", reason).message)[:30] in body.replace(
            "&#x27;", "'"
        )
        assert "mailto:" not in body
    # The button leads to a page that draws a new challenge.
    start = applicant_web.get(reverse("verification:start")).content.decode()
    assert reverse("verification:challenge") in start


@pytest.mark.parametrize("reason", DECISION_REASONS)
def test_a_refusal_gives_a_neutral_reason_an_appeal_address_and_her_data(
    applicant_web, moderator_client, settings, reason
):
    settings.PRIVACY_CONTACT_EMAIL = "recours@example.org"
    decided(applicant_web, moderator_client, "refuse", reason)
    for path in PAGES:
        body = applicant_web.get(path).content.decode().replace("&#x27;", "'")
        assert 'data-step="appeal"' in body
        assert 'href="mailto:recours@example.org?subject=' in body
        assert "Écrire aux modératrices" in body
        assert f'href="{reverse("privacy:delete")}"' in body
        assert "ont été détruites" in body
        # Never asked to retake what she no longer can.
        assert "Reprendre mes photos" not in body
        if reason in RESUBMIT_MESSAGES:
            assert str(RESUBMIT_MESSAGES[reason]) not in body
    # The next step is real: the challenge is closed to her, the appeal page exists.
    assert applicant_web.post(reverse("verification:challenge")).status_code == 302
    assert not VerificationRequest.objects.filter(state="draft").exists()
    assert applicant_web.get(reverse("privacy:delete")).status_code == 200


def test_after_three_requests_for_new_photos_the_limit_refusal_has_an_appeal(
    applicant_web, moderator_client, django_capture_on_commit_callbacks
):
    for _round in range(4):
        with django_capture_on_commit_callbacks(execute=True):  # the purge runs
            decided(applicant_web, moderator_client, "resubmit", "blurry")
    case = VerificationRequest.objects.get(state="rejected")
    assert case.reason == "limit_reached"
    body = applicant_web.get("/me/status/").content.decode().replace("&#x27;", "'")
    assert "après trois essais" in body
    assert 'data-step="appeal"' in body
    assert "mailto:" in body


def test_a_withdrawn_verification_offers_to_start_again(applicant_web):
    submit_via_api(applicant_web)
    applicant_web.post(reverse("verification:withdraw"))
    body = applicant_web.get("/me/status/").content.decode()
    assert 'data-step="start"' in body
    assert body.count(f'href="{reverse("verification:start")}"') == 1
