"""What moderation holds about a person: export and erasure (registered in apps.py).

Open reports are evidence: a reported message stays (in the chat and as a copy in
the report) until a moderator closes the report, even if its author erases her
account. Audit rows stay, with the person's link cut.
"""

from django.db import transaction
from django.db.models import QuerySet

from sorority.accounts.models import User
from sorority.moderation.models import (
    BanProposal,
    ModerationEvent,
    Report,
    Suspension,
)


def messages_under_open_report(messages: QuerySet) -> set[int]:
    """The chat's keeper: ids among `messages` that an open report points to."""
    return set(
        Report.objects.filter(
            status=Report.Status.OPEN, message__in=messages
        ).values_list("message_id", flat=True)
    )


def export_for(user: User) -> dict:
    return {
        "reports_filed": [
            {
                "id": r.pk,
                "reason": r.reason,
                "details": r.details,
                "status": r.status,
                "created_at": r.created_at.isoformat(),
            }
            for r in Report.objects.filter(reporter=user).order_by("pk")
        ],
        "sanctions": [
            {"kind": e.kind, "created_at": e.created_at.isoformat()}
            for e in ModerationEvent.objects.filter(
                target=user,
                kind__in=[
                    ModerationEvent.Kind.WARNED,
                    ModerationEvent.Kind.SUSPENDED,
                    ModerationEvent.Kind.BAN_APPROVED,
                ],
            ).order_by("pk")
        ],
    }


@transaction.atomic
def erase_for(user: User) -> None:
    """Remove what she filed once closed; keep open reports about her as evidence."""
    Report.objects.filter(reporter=user).exclude(status=Report.Status.OPEN).delete()
    Report.objects.filter(reporter=user).update(reporter=None)
    Suspension.objects.filter(user=user).delete()
    ModerationEvent.objects.filter(actor=user).update(actor=None)
    ModerationEvent.objects.filter(target=user).update(target=None)
    BanProposal.objects.filter(target=user).update(target=None)
