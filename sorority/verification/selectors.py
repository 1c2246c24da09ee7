"""Reads of the verification app: the review queue, status, ban-list matches."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from sorority.accounts.models import User
from sorority.verification.models import (
    BanEntry,
    DeletionReceipt,
    VerificationRequest,
)
from sorority.verification.statistics import expected_wait_hours, queue_order

State = VerificationRequest.State

_STATUS = {
    User.Status.APPLICANT: "none",
    User.Status.PENDING: "pending",
    User.Status.RESUBMIT: "resubmit",
    User.Status.REFUSED: "refused",
    User.Status.MEMBER: "approved",
    User.Status.BANNED: "refused",
}


def verification_queue(
    moderator: User | None = None, *, surge: bool = False
) -> QuerySet[VerificationRequest]:
    """Cases waiting for a decision, oldest submission first (surge: resubmissions first).

    For a given moderator, the cases she recused herself from and the approvals she
    made that wait for their second review are left out: they are never offered to her.
    """
    cases = VerificationRequest.objects.filter(
        state__in=(State.SUBMITTED, State.IN_REVIEW)
    ).select_related("user", "assignee")
    if moderator is not None:
        cases = _not_barred(cases, moderator)
    return queue_order(cases, surge=surge)


def _not_barred(
    cases: QuerySet[VerificationRequest], moderator: User
) -> QuerySet[VerificationRequest]:
    return cases.exclude(recusals__moderator=moderator).exclude(
        second_review=True, first_reviewer=moderator
    )


def claimable_for(
    moderator: User, *, surge: bool = False
) -> QuerySet[VerificationRequest]:
    """Unclaimed cases she may take, in the order they are offered."""
    cases = VerificationRequest.objects.filter(
        state=State.SUBMITTED, assignee__isnull=True
    ).exclude(user=moderator)
    return queue_order(_not_barred(cases, moderator), surge=surge)


def verification_latest(user: User) -> VerificationRequest | None:
    """Her most recent case, if any."""
    return (
        VerificationRequest.objects.filter(user=user).order_by("-created_at").first()
    )


def verification_status(user: User) -> dict:
    """Her status as the API shows it: state word, reason code, deletion receipts."""
    latest = verification_latest(user)
    status = _STATUS.get(user.status, "none")
    reason = None
    if status in ("resubmit", "refused") and latest is not None and latest.reason:
        reason = latest.reason
    wait = expected_wait_hours(user) if status == "pending" else None
    return {
        "status": status,
        "reason": reason,
        "receipts": list(deletion_receipts(user)),
        "expected_wait_hours": wait,
    }


def deletion_receipts(user: User) -> QuerySet[DeletionReceipt]:
    return DeletionReceipt.objects.filter(user=user).order_by("-deleted_at")


def identity_matches(tags_by_version: dict[int, str]) -> list[str]:
    """Return `ban_list:<category>` for each active ban entry matching these tags.

    Only approved, unexpired entries count. A match is a warning for a human, never
    a decision (docs/security.md §26).
    """
    if not tags_by_version:
        return []
    pairs = Q()
    for version, tag in tags_by_version.items():
        pairs |= Q(key_version=version, tag=tag)
    categories = (
        BanEntry.objects.filter(pairs)
        .filter(approved_by__isnull=False, expires_at__gt=timezone.now())
        .values_list("reason_category", flat=True)
        .distinct()
    )
    return sorted(f"ban_list:{category}" for category in categories)
