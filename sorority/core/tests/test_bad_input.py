"""Bad input is a clear 4xx, never a 500: ids out of the database's range, bodies that
do not parse, too many fields, too large (found by hand and by the API fuzz)."""

import pytest
from django.test import Client

from conftest import sign_in
from sorority.accounts.tests.factories import UserFactory
from sorority.associations import services as association_services
from sorority.associations.tests.factories import approved_association_with_staff
from sorority.chat.models import Conversation
from sorority.core.ids import ID_MAX, parse_id, parse_ids

pytestmark = pytest.mark.django_db

JSON = "application/json"
# 2**63 is the first integer neither PostgreSQL's bigint nor SQLite's INTEGER holds.
OUT_OF_RANGE = [ID_MAX + 1, 2**70, 10**30, 0, -1]


def token_client(user, **kwargs) -> tuple[Client, dict]:
    """A client with CSRF checks on, signed in by X-Session-Token (as the apps are)."""
    client = sign_in(Client(enforce_csrf_checks=True, **kwargs), user)
    return client, {"HTTP_X_SESSION_TOKEN": client.session.session_key}


def assert_envelope(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) <= {"code", "message", "fields"}
    assert error["message"]
    if code is not None:
        assert error["code"] == code, error
    return error


# ------------------------------------------------------------------ ids: the API


@pytest.mark.parametrize("bad", OUT_OF_RANGE)
def test_contact_several_with_an_id_out_of_range_is_a_400(member_client, bad):
    other = UserFactory()
    response = member_client.post(
        "/api/v1/contact/several",
        {"member_ids": [other.pk, bad], "text": "Bonjour"},
        content_type=JSON,
    )
    error = assert_envelope(response, 400, "invalid")
    assert "member_ids.1" in error["fields"]
    assert not Conversation.objects.exists()


def test_contact_several_refuses_a_list_longer_than_its_bound(member_client):
    response = member_client.post(
        "/api/v1/contact/several",
        {"member_ids": list(range(1, 10_000)), "text": "Bonjour"},
        content_type=JSON,
    )
    assert_envelope(response, 400, "invalid")


@pytest.mark.parametrize("bad", [ID_MAX + 1, 2**70])
def test_case_outreach_with_a_host_id_out_of_range_is_a_400(client, bad):
    association, rep = approved_association_with_staff()
    case = association_services.case_open(association=association, actor=rep, label="R")
    association_services.case_record_safety_check(
        case=case, actor=rep, threatened=False
    )
    sign_in(client, rep)
    response = client.post(
        f"/api/v1/cases/{case.pk}/outreach", {"host_ids": [bad]}, content_type=JSON
    )
    error = assert_envelope(response, 400, "invalid")
    assert "host_ids.0" in error["fields"]
    assert not case.requests.exists()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/conversations", {"member_id": 2**70, "text": "x"}),
        ("/api/v1/blocks", {"member_id": 2**70}),
        ("/api/v1/reports", {"member_id": 2**70, "reason": "spam"}),
        ("/api/v1/reports", {"message_id": 2**70, "reason": "spam"}),
        (f"/api/v1/conversations/{2**70}/messages", {"text": "x"}),
        (f"/api/v1/conversations/{2**70}/read", {}),
        ("/api/v1/cases", {"label": "R", "association_id": 2**70}),
    ],
)
def test_every_id_of_the_api_is_bounded(member_client, path, body):
    response = member_client.post(path, body, content_type=JSON)
    assert_envelope(response, 400, "invalid")


def test_a_path_id_out_of_range_is_a_400_not_a_server_error(member_client):
    response = member_client.get(f"/api/v1/conversations/{2**70}/messages")
    assert_envelope(response, 400, "invalid")
    response = member_client.get(f"/api/v1/conversations/1/messages?after={2**70}")
    assert_envelope(response, 400, "invalid")


# ---------------------------------------------------------------- ids: the pages


@pytest.mark.parametrize("bad", [str(ID_MAX + 1), str(2**70), "1e3", "-4", "٣"])
def test_the_contact_several_page_ignores_ids_out_of_range(member_client, bad):
    other = UserFactory()
    response = member_client.post(
        "/chat/several/", {"member_ids": [bad, str(other.pk)], "text": "Bonjour"}
    )
    assert response.status_code == 302
    (conversation,) = Conversation.objects.all()
    assert other.pk in {conversation.person_low_id, conversation.person_high_id}
    response = member_client.get("/chat/several/", {"member_ids": [bad]})
    assert response.status_code == 200


def test_the_outreach_page_refuses_a_host_id_out_of_range(client):
    association, rep = approved_association_with_staff()
    case = association_services.case_open(association=association, actor=rep, label="R")
    sign_in(client, rep)
    response = client.post(
        f"/associations/cases/{case.pk}/outreach/", {"host_ids": [str(2**70)]}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["host_ids"]
    assert not case.requests.exists()


def test_parse_id_keeps_only_ids_in_range():
    assert parse_id("42") == 42
    assert parse_id(ID_MAX) == ID_MAX
    for bad in (ID_MAX + 1, "9" * 30, "0", "-1", "1.5", "", None, True, "٣", " 7x"):
        assert parse_id(bad) is None
    assert parse_ids(["3", "x", "3", str(2**70), "4"]) == [3, 4]
    assert parse_ids(map(str, range(1, 100)), limit=11) == list(range(1, 12))


# ------------------------------------------------- bodies that do not parse: API


def test_a_multipart_body_without_a_boundary_is_a_400_in_the_envelope(member):
    client, token = token_client(member)
    for content_type in ("multipart/form-data", "multipart/form-data; boundary="):
        response = client.post(
            "/api/v1/contact/several", b"--x\r\n", content_type=content_type, **token
        )
        assert_envelope(response, 400, "malformed_request")


def test_a_multipart_body_read_by_the_view_is_a_400_in_the_envelope(applicant):
    client, token = token_client(applicant)
    response = client.post(
        "/api/v1/verification/submission",
        b"--x\r\n",
        content_type="multipart/form-data; boundary=",
        **token,
    )
    assert_envelope(response, 400, "malformed_request")


def _many_fields_multipart(count: int) -> bytes:
    parts = b"".join(
        b'--x\r\nContent-Disposition: form-data; name="f%d"\r\n\r\n1\r\n' % i
        for i in range(count)
    )
    return parts + b"--x--\r\n"


def test_more_fields_than_the_limit_is_a_400_too_many_fields(member, settings):
    client, token = token_client(member)
    too_many = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1
    urlencoded = "&".join(f"f{i}=1" for i in range(too_many))
    response = client.post(
        "/api/v1/verification/submission",
        urlencoded,
        content_type="application/x-www-form-urlencoded",
        **token,
    )
    assert_envelope(response, 400, "too_many_fields")
    response = client.post(
        "/api/v1/verification/submission",
        _many_fields_multipart(too_many),
        content_type="multipart/form-data; boundary=x",
        **token,
    )
    assert_envelope(response, 400, "too_many_fields")


def test_a_body_larger_than_the_limit_is_a_413_in_the_envelope(member, settings):
    client, token = token_client(member)
    body = b'{"text": "' + b"a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + b'"}'
    response = client.post("/api/v1/contact/several", body, content_type=JSON, **token)
    assert_envelope(response, 413, "too_large")


def test_json_that_does_not_parse_is_a_400_malformed_request(member):
    client, token = token_client(member)
    for body in (b"{not json", b"\xff\xfe", b"nan]"):
        response = client.post(
            "/api/v1/contact/several", body, content_type=JSON, **token
        )
        assert_envelope(response, 400, "malformed_request")


# ------------------------------- bodies that do not parse: unknown URLs and pages


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/_allauth/app/v1/nope"])
def test_an_unparsable_body_to_an_unknown_api_url_is_a_404_envelope(member, path):
    client, token = token_client(member)
    response = client.post(
        path, b"--x\r\n", content_type="multipart/form-data; boundary=", **token
    )
    assert_envelope(response, 404, "not_found")


def test_an_unparsable_body_to_an_unknown_page_is_the_404_page(member):
    client, _token = token_client(member, raise_request_exception=False)
    response = client.post(
        "/no-such-page/", b"--x\r\n", content_type="multipart/form-data; boundary="
    )
    assert response.status_code == 404
    assert b"<html" in response.content


def test_an_unparsable_body_to_a_page_is_the_400_page(member):
    client = sign_in(Client(raise_request_exception=False), member)
    for content_type, body in (
        ("multipart/form-data; boundary=", b"--x\r\n"),
        ("multipart/form-data; boundary=x", _many_fields_multipart(300)),
    ):
        response = client.post("/chat/several/", body, content_type=content_type)
        assert response.status_code == 400
        assert b"<html" in response.content


# ------------------------------------------ NUL characters (PostgreSQL: a 500)


def test_a_nul_character_in_a_json_body_is_a_400(member_client):
    response = member_client.post(
        "/api/v1/reports",
        {"member_id": 1, "reason": "spam", "details": "a\x00b"},
        content_type=JSON,
    )
    assert_envelope(response, 400, "invalid")
    response = member_client.patch(
        "/api/v1/me/profile", {"bio": "\x00"}, content_type=JSON
    )
    assert_envelope(response, 400, "invalid")


def test_a_nul_character_in_a_query_or_path_is_a_400(client):
    _association, rep = approved_association_with_staff()
    sign_in(client, rep)
    assert_envelope(client.get("/api/v1/cases?status=%00"), 400)
    assert_envelope(client.get("/api/v1/places?q=a%00"), 400)
    assert_envelope(client.get("/api/v1/map/cells/8a%00"), 400)
    page = client.get("/chat/several/?member_ids=%00")
    assert page.status_code == 400
    assert b"<html" in page.content


def test_a_nul_character_in_a_form_body_is_refused(member_client):
    other = UserFactory()
    response = member_client.post(
        "/chat/several/",
        f"text=a%00&member_ids={other.pk}",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    response = member_client.post(
        "/chat/several/", {"text": "a\x00", "member_ids": str(other.pk)}
    )  # multipart: the form refuses it
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Conversation.objects.exists()


def test_a_nul_character_in_a_multipart_field_read_by_a_view_is_a_4xx(applicant):
    client, token = token_client(applicant)
    response = client.post(
        "/api/v1/verification/submission",
        {"challenge_id": "a\x00b", "declaration": "true"},
        **token,
    )
    assert_envelope(response, 400, "challenge_required")


class _CutConnection:
    """A request body whose client went away mid-upload."""

    def read(self, *args: object) -> bytes:
        raise OSError("connection reset")

    readline = read


def test_a_body_cut_mid_upload_is_a_400_not_a_server_error(member):
    client = sign_in(Client(raise_request_exception=False), member)
    cut = {"wsgi.input": _CutConnection(), "CONTENT_LENGTH": "100"}
    page = client.post(
        "/chat/several/", content_type="application/x-www-form-urlencoded", **cut
    )
    assert page.status_code == 400
    _client, token = token_client(member)
    response = client.post("/api/v1/contact/several", content_type=JSON, **cut, **token)
    assert_envelope(response, 400, "malformed_request")
