"""Writing and checking the hash-chained audit log of verification cases."""

import time

from django.db import OperationalError, connection, transaction

from sorority.verification.models import AuditEntry

RETRIES = 8


def audit(
    kind: str,
    *,
    actor_id: int | None = None,
    subject_id: int | None = None,
    request_id: object = None,
    **data: object,
) -> AuditEntry:
    """Append one row chained to the previous one. Pseudonymous ids only.

    Outside a transaction (e.g. several document views at once), a write that finds
    the table locked (SQLite) is retried: a view must never go unaudited.
    """
    for attempt in range(RETRIES):
        try:
            return _append(kind, actor_id, subject_id, request_id, data)
        except OperationalError as exc:
            if connection.in_atomic_block or "locked" not in str(exc) or attempt == RETRIES - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _append(
    kind: str,
    actor_id: int | None,
    subject_id: int | None,
    request_id: object,
    data: dict,
) -> AuditEntry:
    with transaction.atomic():
        # Lock the tail so that two writers cannot both chain to the same row
        # (PostgreSQL; SQLite's IMMEDIATE transactions already serialise writers).
        last = (
            AuditEntry.objects.select_for_update().order_by("-pk").only("hash").first()
        )
        entry = AuditEntry(
            kind=kind,
            actor_id=actor_id,
            subject_id=subject_id,
            request_id=request_id,
            data=data,
            prev_hash=last.hash if last else AuditEntry.GENESIS,
        )
        entry.hash = entry.compute_hash()
        entry.save()
    return entry


def verify_chain() -> int | None:
    """Return the pk of the first row whose chain is broken, or None if intact."""
    previous = AuditEntry.GENESIS
    for entry in AuditEntry.objects.order_by("pk").iterator():
        if entry.prev_hash != previous or entry.compute_hash() != entry.hash:
            return entry.pk
        previous = entry.hash
    return None
