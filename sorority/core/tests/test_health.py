"""`/healthz` and `/readyz`: open to anyone, cheap, "ok"/"fail" only, 503 on any failure."""

import datetime
import os

import pytest
from django.db import connection
from django.utils import timezone

from sorority.core import health
from sorority.core.models import Heartbeat
from sorority.verification.models import BanEntry

DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def _fresh_checks(settings):
    settings.REDIS_URL = ""  # the Redis tests below set their own
    health.forget_cached()
    yield
    health.forget_cached()


def beat(name: str, age: datetime.timedelta = datetime.timedelta(0)) -> None:
    Heartbeat.objects.update_or_create(
        name=name, defaults={"beat_at": timezone.now() - age}
    )


def test_healthz_answers_without_the_database(client):
    # Not marked django_db: any query would raise.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {}}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_ok_for_anyone_with_the_immediate_backend(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "keys": "ok"},
    }


@pytest.mark.django_db
def test_readyz_says_nothing_of_anyone_to_a_signed_in_member(member_client):
    body = member_client.get("/readyz").content.decode()
    assert set(member_client.get("/readyz").json()["checks"].values()) == {"ok"}
    assert "@" not in body


def test_readyz_fails_when_the_database_cannot_be_reached(client):
    # Not marked django_db: pytest-django refuses every connection, as a database
    # that is down would. Every check that needs the database fails with it.
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "fail",
        "checks": {"database": "fail", "migrations": "fail", "keys": "fail"},
    }


@pytest.mark.django_db
def test_readyz_fails_while_a_migration_is_not_applied(client):
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = 'core' AND name = '0001_initial'"
        )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "fail"


@pytest.mark.django_db
def test_the_migrations_check_is_kept_a_few_seconds(
    client, django_assert_max_num_queries
):
    assert client.get("/readyz").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = 'core' AND name = '0001_initial'"
        )
    # Cached: the probe stays cheap (SELECT 1 and the keys in use are cached too).
    with django_assert_max_num_queries(1):
        assert client.get("/readyz").status_code == 200
    health.forget_cached()
    assert client.get("/readyz").status_code == 503


@pytest.mark.django_db
def test_readyz_fails_without_a_vault_key(client, settings):
    settings.VAULT_MASTER_KEYS = {}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["keys"] == "fail"


@pytest.mark.django_db
def test_readyz_fails_when_a_key_version_in_use_is_missing(client, settings):
    BanEntry.objects.create(tag="0" * 64, key_version=7, reason_category="other_safety")
    assert client.get("/readyz").status_code == 503
    settings.IDENTITY_TAG_KEYS = {**settings.IDENTITY_TAG_KEYS, 7: b"k" * 32}
    health.forget_cached()
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_fails_when_redis_cannot_be_reached(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "fail"


@pytest.mark.django_db
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")
def test_readyz_pings_redis_when_configured(client, settings):
    settings.REDIS_URL = os.environ["REDIS_URL"]
    assert client.get("/readyz").json()["checks"]["redis"] == "ok"


@pytest.mark.django_db
def test_with_the_database_backend_readyz_needs_both_heartbeats(client, settings):
    settings.TASKS = DB_BACKEND
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "keys": "ok",
        "worker": "fail",
        "scheduler": "fail",
    }
    beat("worker")
    beat("scheduler")
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("stale", ["worker", "scheduler"])
def test_a_stale_heartbeat_makes_readyz_fail(client, settings, stale):
    settings.TASKS = DB_BACKEND
    settings.HEARTBEAT_MAX_AGE_SECONDS = 60
    beat("worker")
    beat("scheduler")
    beat(stale, age=datetime.timedelta(seconds=61))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"][stale] == "fail"


def test_the_probes_answer_in_plain_http_when_https_is_enforced(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


@pytest.mark.django_db
def test_the_probes_only_read(client):
    assert client.post("/readyz").status_code == 405
    assert client.post("/healthz").status_code == 405
