"""Writing and checking the hash-chained audit log of verification cases."""

from django.db import transaction

from sorority.verification.models import AuditEntry


def audit(
    kind: str,
    *,
    actor_id: int | None = None,
    subject_id: int | None = None,
    request_id: object = None,
    **data: object,
) -> AuditEntry:
    """Append one row chained to the previous one. Pseudonymous ids only."""
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
