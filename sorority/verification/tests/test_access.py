"""Refusals for every role on every verification and moderation endpoint."""

import pytest
from django.test import Client

from conftest import sign_in
from sorority.accounts.models import User
from sorority.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CASE = "0c8f8f4e-0000-4000-8000-000000000000"

APPLICANT_ENDPOINTS = [
    ("post", "/api/v1/verification/challenge"),
    ("post", "/api/v1/verification/submission"),
    ("get", "/api/v1/verification"),
    ("post", "/api/v1/verification/withdraw"),
    ("get", "/verification/"),
    ("post", "/verification/challenge/"),
    ("get", "/verification/capture/"),
    ("post", "/verification/submit/"),
    ("get", "/verification/status/"),
    ("post", "/verification/withdraw/"),
]
MODERATION_ENDPOINTS = [
    ("get", "/api/v1/moderation/verifications"),
    ("post", f"/api/v1/moderation/verifications/{CASE}/claim"),
    ("get", f"/api/v1/moderation/verifications/{CASE}"),
    ("get", f"/api/v1/moderation/verifications/{CASE}/documents/selfie_1"),
    ("post", f"/api/v1/moderation/verifications/{CASE}/decision"),
    ("get", "/verification/moderation/"),
    ("post", f"/verification/moderation/{CASE}/claim/"),
    ("get", f"/verification/moderation/{CASE}/"),
    ("get", f"/verification/moderation/{CASE}/documents/selfie_1/"),
    ("post", f"/verification/moderation/{CASE}/decision/"),
]


def _client_for(role: str, request) -> Client:
    client = Client()
    if role == "anonymous":
        return client
    if role == "banned":
        return sign_in(client, UserFactory(status=User.Status.BANNED))
    user = request.getfixturevalue(
        {"applicant": "applicant", "member": "member", "staff": "staff_member",
         "moderator_without_2fa": "moderator"}[role]
    )
    return sign_in(client, user)


def _refused(response, *, api: bool) -> bool:
    if api:
        return response.status_code in (401, 403)
    if response.status_code == 302:
        return "/verification/moderation" not in response["Location"].split("?")[0]
    return response.status_code in (401, 403)


@pytest.mark.parametrize(("method", "path"), APPLICANT_ENDPOINTS)
@pytest.mark.parametrize("role", ["anonymous", "banned"])
def test_verification_endpoints_refuse_anonymous_and_banned(role, method, path, request):
    client = _client_for(role, request)
    response = getattr(client, method)(path)
    assert _refused(response, api=path.startswith("/api/")), response.status_code
    if path.startswith("/api/") and role == "anonymous":
        assert response.status_code == 401


@pytest.mark.parametrize(("method", "path"), MODERATION_ENDPOINTS)
@pytest.mark.parametrize(
    "role", ["anonymous", "applicant", "member", "staff", "moderator_without_2fa", "banned"]
)
def test_moderation_endpoints_refuse_everyone_but_a_moderator_with_second_factor(
    role, method, path, request
):
    client = _client_for(role, request)
    response = getattr(client, method)(path)
    api = path.startswith("/api/")
    assert _refused(response, api=api), (role, path, response.status_code)
    if api and role == "moderator_without_2fa":
        assert response.json()["error"]["code"] == "second_factor_required"
    if api and role == "applicant":
        assert response.json()["error"]["code"] == "verification_required"


def test_members_cannot_start_a_verification(member_client):
    response = member_client.post("/api/v1/verification/challenge")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "verification_not_open"


def test_a_refused_applicant_cannot_start_again(client):
    sign_in(client, UserFactory(status=User.Status.REFUSED))
    assert client.post("/api/v1/verification/challenge").status_code == 409


def test_api_submission_by_token_client_needs_no_csrf_but_cookies_do(applicant):
    client = Client(enforce_csrf_checks=True)
    sign_in(client, applicant)
    response = client.post("/api/v1/verification/challenge")
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["member", "staff", "moderator"])
def test_members_get_clear_refusals_from_the_applicant_endpoints(role, request):
    user = request.getfixturevalue({"member": "member", "staff": "staff_member",
                                    "moderator": "moderator"}[role])
    client = sign_in(Client(), user)
    assert client.post("/api/v1/verification/challenge").status_code == 409
    submission = client.post("/api/v1/verification/submission", {"challenge_id": "forged"})
    assert submission.status_code == 400
    assert client.post("/api/v1/verification/withdraw").status_code == 404
    assert client.get("/api/v1/verification").json()["status"] == "approved"
    assert client.get("/verification/").status_code == 302  # sent on to the community


def test_openapi_schema_documents_the_verification_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/verification/submission" in schema["paths"]
    body = schema["paths"]["/api/v1/verification/submission"]["post"]["requestBody"]
    assert "multipart/form-data" in body["content"]
    assert "/api/v1/moderation/verifications/{case_id}/decision" in schema["paths"]
