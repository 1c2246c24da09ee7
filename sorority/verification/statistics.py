"""Reads about the queue itself: its statistics, the measured rate, surge mode.

Staff figures only (docs/security.md): case ids are random, moderators appear by
their display name, and nothing here reads a document, a name of an applicant or a
birth date. Every function runs a fixed number of queries whatever the volume.
"""

import datetime
import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from sorority.accounts.models import User
from sorority.verification.models import ReviewRecord, VerificationRequest

State = VerificationRequest.State
Outcome = ReviewRecord.Outcome
PENDING = (State.SUBMITTED, State.IN_REVIEW)
RATE_WINDOW = datetime.timedelta(days=7)
WINDOWS = (7, 30)
# Outcomes that end a moderator's look at a case (hand-offs to a second look included:
# they cost the same work, so they count in the rate).
DECISIONS = (
    Outcome.APPROVED,
    Outcome.REJECTED,
    Outcome.REVISION_REQUESTED,
    Outcome.SENIOR_REVIEW,
    Outcome.SECOND_REVIEW,
)
REFUSALS = (Outcome.REJECTED, Outcome.REVISION_REQUESTED)


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile of `values` (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 1)


def decisions_per_hour(now: datetime.datetime | None = None) -> float:
    """Moderator decisions per hour over the last seven days."""
    now = now or timezone.now()
    count = ReviewRecord.objects.filter(
        decided_at__gt=now - RATE_WINDOW, decided_at__lte=now, outcome__in=DECISIONS
    ).count()
    return count / (RATE_WINDOW.total_seconds() / 3600)


@dataclass(frozen=True)
class Surge:
    active: bool
    pending: int
    rate_per_hour: float
    expected_wait_hours: float | None  # for the last case in the queue
    threshold: int


def surge_state(now: datetime.datetime | None = None) -> Surge:
    """Whether the queue is in surge: past the threshold, or more than a day of wait.

    The rate rule only applies from `VERIFICATION_SURGE_MIN_QUEUE` waiting cases, so
    that a quiet week with a handful of cases is not called a surge.
    """
    now = now or timezone.now()
    pending = VerificationRequest.objects.filter(state__in=PENDING).count()
    rate = decisions_per_hour(now)
    wait = pending / rate if rate else None
    threshold = settings.VERIFICATION_SURGE_THRESHOLD
    by_rate = pending >= settings.VERIFICATION_SURGE_MIN_QUEUE and (
        wait is None or wait > settings.VERIFICATION_SURGE_WAIT_HOURS
    )
    return Surge(
        active=pending >= threshold or by_rate,
        pending=pending,
        rate_per_hour=rate,
        expected_wait_hours=None if wait is None else round(wait, 1),
        threshold=threshold,
    )


def queue_order(queryset: QuerySet[VerificationRequest], *, surge: bool) -> QuerySet:
    """Oldest submission first; in surge, resubmissions (round > 1) before first rounds."""
    if surge:
        resubmission = Case(When(round__gt=1, then=Value(0)), default=Value(1))
        return queryset.alias(first_round=resubmission).order_by(
            "first_round", "submitted_at", "created_at"
        )
    return queryset.order_by("submitted_at", "created_at")


def queue_position(case: VerificationRequest, *, surge: bool) -> int:
    """Her place in the queue (1 = next), in the order moderators are offered cases."""
    ahead = Q(submitted_at__lt=case.submitted_at)
    if surge:
        if case.round > 1:
            ahead = Q(round__gt=1, submitted_at__lt=case.submitted_at)
        else:
            ahead = Q(round__gt=1) | Q(submitted_at__lt=case.submitted_at)
    return (
        VerificationRequest.objects.filter(state__in=PENDING)
        .filter(ahead)
        .exclude(pk=case.pk)
        .count()
        + 1
    )


def expected_wait_hours(
    user: User, now: datetime.datetime | None = None
) -> float | None:
    """Her honest expected wait: her place in the queue over the measured decision rate.

    None when she is not waiting, or when no decision was made in the last seven days
    (there is then nothing honest to say).
    """
    case = (
        VerificationRequest.objects.filter(user=user, state__in=PENDING)
        .only("pk", "round", "submitted_at")
        .first()
    )
    if case is None or case.submitted_at is None:
        return None
    surge = surge_state(now)
    if not surge.rate_per_hour:
        return None
    position = queue_position(case, surge=surge.active)
    return round(position / surge.rate_per_hour, 1)


def _distribution(seconds: list[float]) -> dict:
    return {
        "count": len(seconds),
        "median_hours": _hours(percentile(seconds, 0.5)),
        "p95_hours": _hours(percentile(seconds, 0.95)),
        "max_hours": _hours(max(seconds) if seconds else None),
    }


WAIT_BUCKETS = ((24, "under_24h"), (72, "24h_to_72h"), (None, "over_72h"))


def queue_statistics(*, days: int, now: datetime.datetime | None = None) -> dict:
    """The queue measured over the last `days` days (7 or 30), for moderators.

    Four queries: waiting cases, decisions in the window, per-moderator per-day
    counts, pending second reviews; plus the surge state (two).
    """
    if days not in WINDOWS:
        raise ValueError(days)
    now = now or timezone.now()
    since = now - datetime.timedelta(days=days)

    waiting = [
        (now - submitted).total_seconds()
        for submitted in VerificationRequest.objects.filter(
            state__in=PENDING, submitted_at__isnull=False
        ).values_list("submitted_at", flat=True)
    ]
    buckets: Counter[str] = Counter()
    for seconds in waiting:
        for limit, name in WAIT_BUCKETS:
            if limit is None or seconds < limit * 3600:
                buckets[name] += 1
                break

    records = list(
        ReviewRecord.objects.filter(decided_at__gt=since, decided_at__lte=now).values(
            "moderator_id",
            "moderator__display_name",
            "round",
            "submitted_at",
            "claimed_at",
            "decided_at",
            "outcome",
            "reason",
            "second_review",
            "agreed",
        )
    )
    decisions = [r for r in records if r["outcome"] in DECISIONS]
    handling = [
        (r["decided_at"] - r["claimed_at"]).total_seconds()
        for r in decisions
        if r["claimed_at"] is not None
    ]
    finals = [
        (r["decided_at"] - r["submitted_at"]).total_seconds()
        for r in decisions
        if r["submitted_at"] is not None
        and r["outcome"] not in (Outcome.SENIOR_REVIEW, Outcome.SECOND_REVIEW)
    ]
    reasons = Counter(
        r["reason"] or "none" for r in decisions if r["outcome"] in REFUSALS
    )
    by_moderator: dict[int | None, dict] = {}
    times: dict[int | None, list[float]] = defaultdict(list)
    for r in decisions:
        row = by_moderator.setdefault(
            r["moderator_id"],
            {"moderator": r["moderator__display_name"] or "—", "decisions": 0},
        )
        row["decisions"] += 1
        if r["claimed_at"] is not None:
            times[r["moderator_id"]].append(
                (r["decided_at"] - r["claimed_at"]).total_seconds()
            )
    per_day = (
        ReviewRecord.objects.filter(
            decided_at__gt=since, decided_at__lte=now, outcome__in=DECISIONS
        )
        .annotate(day=TruncDate("decided_at"))
        .values("moderator_id", "day")
        .annotate(count=Count("pk"))
        .order_by("day")
    )
    days_by_moderator: dict[int | None, list[dict]] = defaultdict(list)
    for item in per_day:
        days_by_moderator[item["moderator_id"]].append(
            {"date": item["day"], "decisions": item["count"]}
        )
    moderators = []
    for key, row in by_moderator.items():
        active_days = days_by_moderator.get(key, [])
        moderators.append(
            {
                **row,
                "days": active_days,
                "per_active_day": round(row["decisions"] / max(1, len(active_days)), 1),
                "median_seconds": _seconds(percentile(times.get(key, []), 0.5)),
            }
        )
    moderators.sort(key=lambda row: (-row["decisions"], row["moderator"]))

    second = [r for r in decisions if r["second_review"]]
    agreed = sum(1 for r in second if r["agreed"])
    surge = surge_state(now)
    return {
        "days": days,
        "generated_at": now,
        "waiting": {
            **_distribution(waiting),
            "buckets": {name: buckets.get(name, 0) for _limit, name in WAIT_BUCKETS},
        },
        "decisions": len(decisions),
        "decisions_per_hour": round(surge.rate_per_hour, 2),
        "time_per_decision": {
            "count": len(handling),
            "median_seconds": _seconds(percentile(handling, 0.5)),
            "p95_seconds": _seconds(percentile(handling, 0.95)),
        },
        "time_to_decision": _distribution(finals),
        "resubmission_share": _share(
            sum(1 for r in decisions if r["round"] > 1), len(decisions)
        ),
        "refusals": [
            {"reason": reason, "count": count, "share": _share(count, len(decisions))}
            for reason, count in sorted(
                reasons.items(), key=lambda item: (-item[1], item[0])
            )
        ],
        "moderators": moderators,
        "second_review": {
            "requested": sum(
                1 for r in decisions if r["outcome"] == Outcome.SECOND_REVIEW
            ),
            "completed": len(second),
            "agreed": agreed,
            "overturned": len(second) - agreed,
            "agreement_rate": _share(agreed, len(second)),
            "pending": VerificationRequest.objects.filter(
                state__in=PENDING, second_review=True
            ).count(),
        },
        "surge": {
            "active": surge.active,
            "pending": surge.pending,
            "threshold": surge.threshold,
            "expected_wait_hours": surge.expected_wait_hours,
        },
    }


def _seconds(value: float | None) -> int | None:
    return None if value is None else round(value)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None
