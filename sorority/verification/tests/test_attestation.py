"""An approved association vouches for a person with a one-time code."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from conftest import sign_in
from sorority.verification.models import AttestationCode, VerificationRequest
from sorority.verification.tests.conftest import form_data

pytestmark = pytest.mark.django_db

CODES = "/api/v1/verification/attestation-codes"


def code_for(staff_member) -> str:
    response = sign_in(Client(), staff_member).post(CODES)
    assert response.status_code == 201
    return response.json()["code"]


def submit_with(client, code: str):
    challenge = client.post("/api/v1/verification/challenge").json()["id"]
    return client.post(
        "/api/v1/verification/submission", form_data(challenge) | {"attestation_code": code}
    )


def test_the_moderator_sees_that_an_association_vouches(
    staff_member, applicant_web, moderator_client
):
    code = code_for(staff_member)
    assert len(code.replace("-", "")) == 12
    assert not AttestationCode.objects.filter(code_hash__icontains=code[:4]).exists()
    assert submit_with(applicant_web, code.lower()).status_code == 201
    case = VerificationRequest.objects.get()
    assert case.attested_by == staff_member
    moderator_client.post(f"/api/v1/moderation/verifications/{case.pk}/claim")
    detail = moderator_client.get(f"/api/v1/moderation/verifications/{case.pk}").json()
    assert detail["attested"] is True
    assert staff_member.display_name not in str(detail)


def test_a_code_expires_after_seven_days(staff_member, new_applicant, time_machine):
    code = code_for(staff_member)
    time_machine.move_to(timezone.now() + datetime.timedelta(days=8))
    response = submit_with(sign_in(Client(), new_applicant), code)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_attestation"
    assert not VerificationRequest.objects.filter(state="submitted").exists()


def test_a_used_code_is_refused(staff_member, applicant_web, client):
    from sorority.accounts.models import User
    from sorority.accounts.tests.factories import UserFactory

    code = code_for(staff_member)
    assert submit_with(applicant_web, code).status_code == 201
    other = sign_in(Client(), UserFactory(status=User.Status.APPLICANT))
    assert submit_with(other, code).json()["error"]["code"] == "invalid_attestation"


@pytest.mark.parametrize("role", ["anonymous", "applicant", "member", "moderator"])
def test_only_association_staff_get_codes(role, request):
    client = Client()
    if role != "anonymous":
        sign_in(client, request.getfixturevalue(role), second_factor=role == "moderator")
    assert client.post(CODES).status_code in (401, 403)
    assert client.get("/verification/attestation/").status_code in (302, 403)


def test_staff_page_shows_a_code_once(staff_member, client):
    sign_in(client, staff_member)
    assert client.get("/verification/attestation/").status_code == 200
    page = client.post("/verification/attestation/")
    assert 'id="attestation-code"' in page.content.decode()
    assert AttestationCode.objects.count() == 1
