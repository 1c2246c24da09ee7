"""Readiness checks behind `/readyz` (docs/architecture.md, "Processes and tasks").

Each check answers "ok" or "fail" and nothing else: no error text (it may name a
host or a user), no personal data. The checks that read the migration graph or the
key versions in use are kept for `READYZ_CACHE_SECONDS`, so a probe every second
costs a `SELECT 1`, a Redis PING and one heartbeat query.
"""

import datetime
import logging
import threading
import time
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from sorority.core.tasking import SCHEDULER, WORKER, uses_database_backend

logger = logging.getLogger(__name__)

OK, FAIL = "ok", "fail"
KEY_BYTES = 32
_cache: dict[str, tuple[float, bool]] = {}
_lock = threading.Lock()
_redis_clients: dict[str, object] = {}


def _cached(name: str, check: Callable[[], bool]) -> bool:
    """Run `check` at most once per `READYZ_CACHE_SECONDS` in this process."""
    now = time.monotonic()
    with _lock:
        hit = _cache.get(name)
    if hit is not None and now - hit[0] < settings.READYZ_CACHE_SECONDS:
        return hit[1]
    result = check()
    with _lock:
        _cache[name] = (now, result)
    return result


def forget_cached() -> None:
    with _lock:
        _cache.clear()


def database_ok() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def migrations_ok() -> bool:
    executor = MigrationExecutor(connection)
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


def redis_ok() -> bool:
    import redis

    client = _redis_clients.get(settings.REDIS_URL)
    if client is None:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        _redis_clients[settings.REDIS_URL] = client
    return bool(client.ping())  # type: ignore[attr-defined]


def _keyring_ok(keyring: object) -> bool:
    return (
        isinstance(keyring, dict)
        and bool(keyring)
        and all(
            isinstance(key, bytes) and len(key) == KEY_BYTES for key in keyring.values()
        )
    )


def keys_ok() -> bool:
    """Both keyrings loaded, and every key version the database uses is among them."""
    vault_keys = getattr(settings, "VAULT_MASTER_KEYS", None)
    tag_keys = getattr(settings, "IDENTITY_TAG_KEYS", None)
    if not (_keyring_ok(vault_keys) and _keyring_ok(tag_keys)):
        return False
    in_use = [
        ("verification", "VerificationRequest", "wrapped_dek__isnull", vault_keys),
        ("verification", "BanEntry", None, tag_keys),
        ("privacy", "AbuserFlag", None, tag_keys),
    ]
    for app_label, model_name, having, keyring in in_use:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        rows = model.objects.all()
        if having:
            rows = rows.filter(**{having: False})
        versions = set(rows.values_list("key_version", flat=True).distinct())
        if not versions <= set(keyring) | {None}:  # type: ignore[arg-type]
            return False
    return True


def heartbeat_ok(name: str) -> bool:
    from sorority.core.models import Heartbeat

    beat_at = (
        Heartbeat.objects.filter(name=name).values_list("beat_at", flat=True).first()
    )
    max_age = datetime.timedelta(seconds=settings.HEARTBEAT_MAX_AGE_SECONDS)
    return beat_at is not None and timezone.now() - beat_at <= max_age


def _run(name: str, check: Callable[[], bool]) -> str:
    try:
        return OK if check() else FAIL
    except Exception as exc:  # the class only: its message may name a host
        logger.warning("Readiness check %s failed: %s", name, type(exc).__name__)
        return FAIL


def readiness() -> dict[str, str]:
    """Every check by name, "ok" or "fail" (those needing the database fail with it)."""
    checks = {"database": _run("database", database_ok)}
    db_up = checks["database"] == OK
    checks["migrations"] = (
        _run("migrations", lambda: _cached("migrations", migrations_ok))
        if db_up
        else FAIL
    )
    if settings.REDIS_URL:
        checks["redis"] = _run("redis", redis_ok)
    checks["keys"] = _run("keys", lambda: _cached("keys", keys_ok)) if db_up else FAIL
    if uses_database_backend():
        for name in (WORKER, SCHEDULER):
            checks[name] = (
                _run(name, lambda name=name: heartbeat_ok(name)) if db_up else FAIL
            )
    return checks
