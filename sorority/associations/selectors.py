"""Reads: case lists, a case with its timeline, host candidates, the association export."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from sorority.accounts.models import User
from sorority.associations import integrations
from sorority.associations.models import (
    Association,
    Case,
    CaseEvent,
    FollowUp,
    HostRequest,
    Membership,
    Placement,
    StaffInvitation,
)
from sorority.associations.policies import cases_visible_to
from sorority.associations.services.outreach import excluded_host_ids


def staff_seen_by_association(association: Association) -> QuerySet[Membership]:
    """The staff as the association sees it: people who joined (still or before).

    Invitations are not memberships to it: those are `invitations_seen_by_association`
    rows, the address it typed, so it never learns who holds an account.
    """
    return (
        association.memberships.select_related("user")
        .filter(
            status__in=[Membership.Status.ACTIVE, Membership.Status.REMOVED],
            joined_at__isnull=False,
        )
        .order_by("created_at", "pk")
    )


def invitations_seen_by_association(
    association: Association,
) -> QuerySet[StaffInvitation]:
    """Its pending invitations (the same row whoever the address belongs to)."""
    return association.invitations.filter(
        status=StaffInvitation.Status.PENDING
    ).order_by("created_at", "pk")


def attention_follow_ups() -> QuerySet[FollowUp]:
    """Check-ins of ongoing stays that need the referent now: due, missed or duress."""
    now = timezone.now()
    recent = now - timedelta(days=2)
    return FollowUp.objects.filter(placement__ended_at__isnull=True).filter(
        Q(status=FollowUp.Status.SCHEDULED, due_at__lte=now)
        | Q(status=FollowUp.Status.MISSED, due_at__gte=recent)
        | Q(outcome=FollowUp.Outcome.DURESS, logged_at__gte=recent)
    )


def case_list(*, user: User, status: str = "") -> QuerySet[Case]:
    """Cases she may see, most recently changed first, flagged when they need her."""
    qs = (
        cases_visible_to(user)
        .select_related("association", "referent")
        .annotate(
            needs_attention=Exists(
                attention_follow_ups().filter(placement__case=OuterRef("pk"))
            )
        )
    )
    if status:
        qs = qs.filter(status=status)
    return qs


def attention_count(user: User) -> int:
    """How many of the cases she refers need her now (the navigation badge)."""
    return (
        cases_visible_to(user)
        .filter(referent=user)
        .filter(Exists(attention_follow_ups().filter(placement__case=OuterRef("pk"))))
        .count()
    )


def case_get(*, user: User, pk: int) -> Case:
    """One case with what its page shows, or 404 (missing and foreign alike)."""
    from django.shortcuts import get_object_or_404

    qs = (
        cases_visible_to(user)
        .select_related("association", "referent")
        .prefetch_related(
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor")),
            Prefetch("requests", queryset=HostRequest.objects.select_related("host")),
            Prefetch(
                "placements",
                queryset=Placement.objects.select_related("host").prefetch_related(
                    Prefetch(
                        "follow_ups",
                        queryset=FollowUp.objects.select_related("logged_by"),
                    )
                ),
            ),
        )
    )
    return get_object_or_404(qs, pk=pk)


def active_placement(case: Case) -> Placement | None:
    return next((p for p in case.placements.all() if p.ended_at is None), None)


def staff_of(association: Association) -> QuerySet[User]:
    """The association's current staff."""
    return User.objects.filter(
        staff_memberships__association=association,
        staff_memberships__status=Membership.Status.ACTIVE,
    ).order_by("display_name")


def host_candidates(*, user: User, case: Case, limit: int = 20) -> list:
    """Hosts around the case's target area, never ones already asked or who hosted her."""
    return integrations.search_hosts(
        user=user,
        case=case,
        exclude_ids=excluded_host_ids(case) | {user.pk},
        limit=limit,
    )


def _iso(value: object) -> str | None:
    return value.isoformat() if value else None  # type: ignore[attr-defined]


def case_export(case: Case) -> dict:
    """Everything about one case, as JSON-ready data (for the association's export)."""
    return {
        "id": case.pk,
        "label": case.label,
        "status": case.status,
        "need": case.need,
        "support_kinds": case.support_kinds,
        "adults": case.adults,
        "children_ages": case.children_ages,
        "animals": case.animals,
        "nights": case.nights,
        "step_free": case.step_free,
        "target_commune": case.target_commune,
        "avoid_commune": case.avoid_commune,
        "avoid_radius_km": case.avoid_radius_km,
        "safety_asked_at": _iso(case.safety_asked_at),
        "safety_threatened": case.safety_threatened,
        "notes": case.notes,
        "referent_id": case.referent_id,
        "created_at": _iso(case.created_at),
        "closed_at": _iso(case.closed_at),
        "notes_retained_until": _iso(case.notes_retained_until),
        "requests": [
            {
                "id": r.pk,
                "host_id": r.host_id,
                "batch": r.batch,
                "status": r.status,
                "created_at": _iso(r.created_at),
                "answered_at": _iso(r.answered_at),
            }
            for r in case.requests.all()
        ],
        "placements": [
            {
                "id": p.pk,
                "host_id": p.host_id,
                "starts_on": _iso(p.starts_on),
                "expected_end_on": _iso(p.expected_end_on),
                "ended_at": _iso(p.ended_at),
                "follow_ups": [
                    {
                        "id": f.pk,
                        "with": f.with_whom,
                        "due_at": _iso(f.due_at),
                        "status": f.status,
                        "outcome": f.outcome,
                        "note": f.note,
                    }
                    for f in p.follow_ups.all()
                ],
            }
            for p in case.placements.all()
        ],
        "timeline": [
            {
                "kind": e.kind,
                "actor_id": e.actor_id,
                "at": _iso(e.created_at),
                "data": e.data,
            }
            for e in case.events.all()
        ],
    }


def association_export(association: Association) -> dict:
    """The association's data: itself, its staff, and every case in full."""
    cases = Case.objects.filter(association=association).prefetch_related(
        "events", "requests", "placements__follow_ups"
    )
    return {
        "association": {
            "id": association.pk,
            "name": association.name,
            "identifier": association.identifier,
            "address": association.address,
            "status": association.status,
        },
        "staff": [
            {
                "member_id": m.user_id,
                "display_name": m.user.display_name,
                "status": m.status,
                "is_representative": m.is_representative,
            }
            for m in staff_seen_by_association(association)
        ],
        "invitations": [
            {"address": i.address, "created_at": i.created_at.isoformat()}
            for i in invitations_seen_by_association(association)
        ],
        "cases": [case_export(case) for case in cases],
    }
