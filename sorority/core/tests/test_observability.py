"""Logs without personal data, with request ids; a metrics endpoint behind a token.

The logs are read from the project's own console handler (its filters are the
guarantee), in JSON, after a journey that carries e-mails, pseudonyms, positions
and message text.
"""

import io
import json
import logging
import re
import uuid

import pytest
from channels.db import database_sync_to_async
from django.core import mail
from django.test import Client
from pythonjsonlogger.json import JsonFormatter

from conftest import sign_in
from sorority.accounts.tests.factories import UserFactory
from sorority.chat.tests.factories import conversation_between
from sorority.chat.tests.test_consumers import connect
from sorority.core.logs import scrub
from sorority.places.tests.factories import located_member

LAT, LNG = "48.858412", "2.294513"


@pytest.fixture
def json_logs():
    """The configured console handler, writing JSON into a buffer."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    buffer = io.StringIO()
    old_stream, old_formatter = handler.stream, handler.formatter
    handler.setStream(buffer)
    handler.setFormatter(
        JsonFormatter("%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s")
    )
    request_logger = logging.getLogger("sorority.request")
    previous = request_logger.level
    request_logger.setLevel(logging.INFO)
    yield buffer
    request_logger.setLevel(previous)
    handler.setStream(old_stream)
    handler.setFormatter(old_formatter)


def test_scrub_removes_emails_phones_positions_and_query_strings():
    text = scrub(
        "user lea.b+x@example.org at 48.858412,2.294513 phone +33 6 12 34 56 78 "
        "or 06.12.34.56.78 GET /api/v1/search/safe-places?lat=48.8&lng=2.29 done 404 in 12.5ms"
    )
    for secret in (
        "lea.b",
        "example.org",
        "48.858412",
        "2.294513",
        "12 34 56",
        "06.12",
        "lat=",
        "lng=",
    ):
        assert secret not in text, text
    assert "/api/v1/search/safe-places?[query]" in text
    assert "404" in text
    assert "12.5ms" in text  # a duration keeps its one decimal


@pytest.mark.django_db
def test_a_journey_logs_request_ids_and_no_personal_data(json_logs, client):
    pseudonym = f"Pz{uuid.uuid4().hex[:8]}"
    email = f"{pseudonym.lower()}@example.org"
    secret_text = f"rendez-vous secret {uuid.uuid4().hex}"
    # Sign-up (e-mail and pseudonym in the form).
    response = client.post(
        "/accounts/signup/",
        {
            "email": email,
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
            "display_name": pseudonym,
            "consent": "on",
        },
    )
    assert response.status_code in (200, 302)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    # A member searches with her position in the query string and in a body.
    member = UserFactory(display_name=f"{pseudonym}m")
    located_member("69123", safe_place={"adults": 1})
    member_client = sign_in(Client(), member)
    supplied = "edge-4f1c2a9b-0001"
    response = member_client.get(
        "/api/v1/search/safe-places",
        {"lat": LAT, "lng": LNG},
        HTTP_X_REQUEST_ID=supplied,
    )
    assert response.status_code == 200
    assert response["X-Request-ID"] == supplied
    member_client.patch(
        "/api/v1/me/profile",
        {"lat": float(LAT), "lng": float(LNG)},
        content_type="application/json",
    )
    # A bad id is not echoed: a fresh one replaces it.
    response = member_client.get(
        "/api/v1/conversations", HTTP_X_REQUEST_ID="bad id\n{}"
    )
    assert response["X-Request-ID"] != "bad id\n{}"
    # A chat message.
    other = UserFactory()
    conversation = conversation_between(member, other)
    response = member_client.post(
        f"/api/v1/conversations/{conversation.pk}/messages",
        {"text": secret_text},
        content_type="application/json",
    )
    assert response.status_code == 201
    # Errors: bad input, and a log call by code that got careless.
    assert (
        member_client.get(
            "/api/v1/search/safe-places", {"lat": "91", "lng": LNG}
        ).status_code
        == 400
    )
    # Names cannot be recognised by a pattern: a person object passed as an argument
    # is redacted whole (her str() may be her pseudonym or e-mail).
    logging.getLogger("sorority.test").error(
        "could not notify %s (%s) at %s,%s", email, member, LAT, LNG
    )
    logging.getLogger("django.request").error(
        "Internal Server Error: %s",
        "/places/?lat=48.85841&lng=2.29451",
        extra={"request": response.wsgi_request, "status_code": 500},
    )

    lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    assert len(lines) >= 6
    output = json_logs.getvalue()
    access = [line for line in lines if line["name"] == "sorority.request"]
    assert {line["request_id"] for line in access} >= {supplied}
    assert all(re.fullmatch(r"[\w.-]{8,64}", line["request_id"]) for line in access)
    assert any(line.get("route") == "api:search_safe_places" for line in access), access
    assert email not in output
    assert "example.org" not in output
    assert pseudonym not in output
    assert secret_text not in output
    assert "rendez-vous" not in output
    assert not re.search(r"\d+\.\d{3,}", output), output
    assert "lat=" not in output
    assert "lng=" not in output
    assert "WSGIRequest" not in output


# --------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------


def test_metrics_do_not_exist_when_not_configured(client, db):
    assert client.get("/metrics").status_code == 404
    assert (
        client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 404
    )


def test_metrics_need_the_token(settings, client, db):
    settings.METRICS_TOKEN = "s3cret-token-for-metrics"
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    response = client.get(
        "/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token-for-metrics"
    )
    assert response.status_code == 200
    assert client.post(
        "/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token-for-metrics"
    ).status_code in (403, 405)


def test_metrics_from_an_internal_network_only_when_not_forwarded(settings, client, db):
    import ipaddress

    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.0.0.0/8")]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 404
    # Through the proxy every request comes from its address: forwarded ones are refused.
    assert (
        client.get(
            "/metrics", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="203.0.113.9"
        ).status_code
        == 404
    )


def _value(body: str, name: str, **labels: str) -> float:
    for line in body.splitlines():
        if not line.startswith(name) or line.startswith("#"):
            continue
        head, _, value = line.rpartition(" ")
        if head.split("{")[0] != name:
            continue
        if all(f'{k}="{v}"' in head for k, v in labels.items()):
            return float(value)
    return 0.0


@pytest.mark.django_db
def test_metrics_content_names_and_no_personal_data(settings, client):
    from sorority.core.notify import send_notification

    settings.METRICS_TOKEN = "s3cret-token-for-metrics"
    auth = {"HTTP_AUTHORIZATION": "Bearer s3cret-token-for-metrics"}
    pseudonym = f"Pm{uuid.uuid4().hex[:8]}"
    member = UserFactory(display_name=pseudonym)
    before = client.get("/metrics", **auth).content.decode()
    member_client = sign_in(Client(), member)
    assert (
        member_client.get(
            "/api/v1/search/safe-places", {"lat": LAT, "lng": LNG}
        ).status_code
        == 200
    )
    assert (
        member_client.get(f"/api/v1/conversations/{10**6}/messages").status_code == 404
    )
    send_notification(user=member, subject="News", body="Sign in to see it.")
    assert len(mail.outbox) == 1
    from django_tasks_db.models import DBTaskResult  # noqa: F401 - the table exists

    body = client.get("/metrics", **auth).content.decode()
    for name in (
        "sorority_http_request_duration_seconds_bucket",
        "sorority_websocket_connections",
        "sorority_notifications_total",
        "sorority_task_queue_depth",
        "sorority_task_queue_oldest_age_seconds",
    ):
        assert name in body, name
    route = "api:search_safe_places"
    assert _value(
        body, "sorority_http_request_duration_seconds_count", route=route
    ) == (
        _value(before, "sorority_http_request_duration_seconds_count", route=route) + 1
    )
    assert _value(body, "sorority_notifications_total", outcome="sent") == (
        _value(before, "sorority_notifications_total", outcome="sent") + 1
    )
    assert member.email not in body
    assert pseudonym not in body
    assert "/api/v1/" not in body  # route names, never paths
    assert str(10**6) not in body
    assert LAT not in body


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_websocket_gauge_follows_connections(settings):
    settings.METRICS_TOKEN = "s3cret-token-for-metrics"

    @database_sync_to_async
    def scrape() -> float:
        body = (
            Client()
            .get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token-for-metrics")
            .content.decode()
        )
        return _value(body, "sorority_websocket_connections")

    user = await database_sync_to_async(UserFactory)()
    start = await scrape()
    ws, connected, _ = await connect(user)
    assert connected
    assert await scrape() == start + 1
    await ws.disconnect()
    assert await scrape() == start
    _refused, connected, _ = await connect(None)
    assert not connected
    assert await scrape() == start
