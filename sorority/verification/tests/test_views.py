"""The web pages: applicant capture flow and moderator console."""

import pytest
from django.urls import reverse

from conftest import sign_in
from sorority.verification.models import AuditEntry, VerificationRequest
from sorority.verification.tests.conftest import submit_via_api

pytestmark = pytest.mark.django_db


def test_start_page_gives_safety_advice_and_a_challenge_button(applicant_web):
    response = applicant_web.get(reverse("verification:start"))
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("verification:challenge") in body
    assert "type=\"file\"" not in body


def test_capture_page_shows_the_challenge_and_allows_the_camera_without_file_input(applicant_web):
    response = applicant_web.post(reverse("verification:challenge"))
    assert response.status_code == 302
    assert response["Location"] == reverse("verification:capture")
    page = applicant_web.get(reverse("verification:capture"))
    assert page.status_code == 200
    body = page.content.decode()
    challenge = VerificationRequest.objects.get().challenges.get()
    assert challenge.code in body
    assert "camera=(self)" in page["Permissions-Policy"]
    assert 'type="file"' not in body
    assert "type=file" not in body
    assert "capture.js" in body
    # She is told which fields she may cover (docs/security.md §4).
    assert "sex marker" in body.lower() or "mention du sexe" in body.lower()


def test_other_pages_do_not_allow_the_camera(applicant_web):
    response = applicant_web.get(reverse("verification:status"))
    assert "camera=()" in response["Permissions-Policy"]


def test_web_submission_endpoint_stores_the_photos(applicant_web):
    applicant_web.post(reverse("verification:challenge"))
    challenge = VerificationRequest.objects.get().challenges.get()
    from sorority.verification.tests.conftest import form_data

    response = applicant_web.post(reverse("verification:submit"), form_data(challenge.pk))
    assert response.status_code == 201
    assert response.json()["redirect"] == reverse("verification:status")
    assert VerificationRequest.objects.get().state == "submitted"


def test_web_submission_errors_are_json_4xx(applicant_web):
    response = applicant_web.post(reverse("verification:submit"), {"declaration": "true"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "challenge_required"


def test_status_page_shows_the_deletion_receipt(
    applicant_web, moderator_client, django_capture_on_commit_callbacks
):
    submit_via_api(applicant_web)
    case = VerificationRequest.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        applicant_web.post(reverse("verification:withdraw"))
    page = applicant_web.get(reverse("verification:status"))
    assert page.status_code == 200
    assert 'id="receipts"' in page.content.decode()
    case.refresh_from_db()
    assert case.state == "withdrawn"


def test_moderator_console_lists_claims_and_shows_the_case(applicant_web, moderator_client):
    submit_via_api(applicant_web)
    case = VerificationRequest.objects.get()
    queue = moderator_client.get(reverse("verification:moderation_queue"))
    assert queue.status_code == 200
    assert case.user.display_name in queue.content.decode()
    claim = moderator_client.post(reverse("verification:moderation_claim", args=[case.pk]))
    assert claim.status_code == 302
    detail = moderator_client.get(reverse("verification:moderation_detail", args=[case.pk]))
    assert detail.status_code == 200
    body = detail.content.decode()
    assert case.challenge.code in body
    assert reverse("verification:moderation_document", args=[case.pk, "selfie_1"]) in body
    assert "sex" not in " ".join(name for name in ["gesture_correct"])
    image = moderator_client.get(reverse("verification:moderation_document", args=[case.pk, "id_front"]))
    assert image.status_code == 200
    assert image["Content-Type"] == "image/jpeg"
    assert image["Content-Security-Policy"] == "sandbox"
    assert AuditEntry.objects.filter(kind="document_viewed").count() == 1


def test_moderator_decides_from_the_console(
    applicant_web, moderator_client, django_capture_on_commit_callbacks
):
    submit_via_api(applicant_web)
    case = VerificationRequest.objects.get()
    moderator_client.post(reverse("verification:moderation_claim", args=[case.pk]))
    data = dict.fromkeys(
        ["gesture_correct", "code_correct", "same_person", "document_physical",
         "document_not_expired", "identity_transcribed"], "yes")
    data |= {"family_name": "Martin", "given_names": "Anne", "birth_date": "1991-02-03",
             "decision": "approve"}
    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(
            reverse("verification:moderation_decide", args=[case.pk]), data
        )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "approved"
    case.user.refresh_from_db()
    assert case.user.status == "member"


def test_stale_moderator_session_is_sent_to_reauthenticate(
    applicant_web, moderator, client, time_machine
):
    submit_via_api(applicant_web)
    case = VerificationRequest.objects.get()
    sign_in(client, moderator, second_factor=True)
    client.post(reverse("verification:moderation_claim", args=[case.pk]))
    import datetime

    from django.utils import timezone

    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=10))
    assert client.get(reverse("verification:moderation_queue")).status_code == 200
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=6))
    response = client.get(reverse("verification:moderation_detail", args=[case.pk]))
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]


@pytest.mark.parametrize("role", ["anonymous", "applicant", "member", "staff", "moderator_without_2fa"])
def test_moderation_pages_refuse_everyone_but_moderators(role, client, applicant, member, staff_member, moderator):
    users = {"applicant": applicant, "member": member, "staff": staff_member,
             "moderator_without_2fa": moderator}
    if role != "anonymous":
        sign_in(client, users[role])
    response = client.get(reverse("verification:moderation_queue"))
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith(("/accounts/login/", "/me/"))


def test_another_moderator_gets_403_and_an_audit_row_in_the_console(
    applicant_web, moderator_client
):
    from sorority.verification.tests.test_review import second_moderator

    submit_via_api(applicant_web)
    case = VerificationRequest.objects.get()
    moderator_client.post(reverse("verification:moderation_claim", args=[case.pk]))
    intruder = second_moderator()
    other = sign_in(__import__("django.test").test.Client(), intruder, second_factor=True)
    assert other.get(reverse("verification:moderation_detail", args=[case.pk])).status_code == 403
    image = other.get(reverse("verification:moderation_document", args=[case.pk, "selfie_1"]))
    assert image.status_code == 403
    assert AuditEntry.objects.filter(kind="access_refused", actor_id=intruder.pk).count() == 2
    claim = other.post(reverse("verification:moderation_claim", args=[case.pk]))
    assert claim.status_code == 302  # back to the queue with "already claimed"
    case.refresh_from_db()
    assert case.assignee_id != intruder.pk
