"""What the verification app holds about a person: export and erasure.

Exported: her cases (states, dates, reason codes) and the deletion receipts. Erased:
open cases are withdrawn and their documents destroyed at once; the audit rows are
pseudonymous and stay (docs/security.md §22), the ban list holds tags only.
"""

from typing import TYPE_CHECKING

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

if TYPE_CHECKING:
    from sorority.accounts.models import User


def export_for(user: "User") -> dict:
    from sorority.verification.models import (
        AttestationCode,
        BanEntry,
        DeletionReceipt,
        Recusal,
        ReviewRecord,
        VerificationRequest,
    )

    cases = VerificationRequest.objects.filter(user=user).order_by("created_at")
    return {
        "verifications": [
            {
                "id": str(case.pk),
                "state": case.state,
                "reason": case.reason or None,
                "revision_count": case.revision_count,
                "created_at": case.created_at.isoformat(),
                "submitted_at": case.submitted_at.isoformat() if case.submitted_at else None,
                "decided_at": case.decided_at.isoformat() if case.decided_at else None,
                "documents_held": case.documents.count(),
            }
            for case in cases
        ],
        "deletion_receipts": [
            {
                "verification": str(receipt.request_id),
                "documents": receipt.documents,
                "deleted_at": receipt.deleted_at.isoformat(),
            }
            for receipt in DeletionReceipt.objects.filter(user=user)
        ],
        "ban_entries_proposed": BanEntry.objects.filter(created_by=user).count(),
        "ban_entries_approved": BanEntry.objects.filter(approved_by=user).count(),
        "attestation_codes_given": [
            {"created_at": item.created_at.isoformat(), "used": item.used_at is not None}
            for item in AttestationCode.objects.filter(staff=user)
        ],
        "review_decisions_made": ReviewRecord.objects.filter(moderator=user).count(),
        "cases_recused_from": Recusal.objects.filter(moderator=user).count(),
    }


def erase_for(user: "User") -> None:
    from sorority.verification.models import (
        AttestationCode,
        BanEntry,
        ReasonCode,
        Recusal,
        ReviewRecord,
        VerificationRequest,
    )
    from sorority.verification.services import OPEN_STATES, verification_purge

    with transaction.atomic():
        AttestationCode.objects.filter(staff=user).delete()
        # The ban list itself stays (a legal interest, said in the privacy notice);
        # only the link to the moderator who proposed or approved an entry goes.
        BanEntry.objects.filter(created_by=user).update(created_by=None)
        BanEntry.objects.filter(approved_by=user).update(approved_by=None)
        # The queue figures stay, without her: the decisions become anonymous.
        ReviewRecord.objects.filter(moderator=user).update(moderator=None)
        Recusal.objects.filter(moderator=user).delete()
        for case in VerificationRequest.objects.select_for_update().filter(
            user=user, state__in=OPEN_STATES
        ):
            case.transition(VerificationRequest.State.WITHDRAWN)
            case.reason = ReasonCode.WITHDRAWN
            case.decided_at = timezone.now()
            case.save()
    # Destroy now, not on commit: the account (and these rows) may be gone by then.
    for request_id in VerificationRequest.objects.filter(user=user).values_list("pk", flat=True):
        verification_purge(request_id=request_id, cause="erased")


def queue_badge(request: HttpRequest) -> int:
    from sorority.verification.models import VerificationRequest

    return VerificationRequest.objects.filter(
        state=VerificationRequest.State.SUBMITTED
    ).count()
