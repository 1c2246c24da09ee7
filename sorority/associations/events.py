"""Timeline rows: one typed function per event kind (after saleor's order/events.py).

Event data holds ids and choice values only, never free text or names: the timeline
outlives the notes (which are purged after retention).
"""

from typing import TYPE_CHECKING

from sorority.associations.models import (
    Association,
    AssociationEvent,
    Case,
    CaseEvent,
    FollowUp,
    HostRequest,
    Placement,
)

if TYPE_CHECKING:
    from sorority.accounts.models import User

Kind = CaseEvent.Kind


def _case(case: Case, kind: str, actor: "User | None", **data: object) -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=kind, actor=actor, data=data)


def association_event(
    *, association: Association, kind: str, actor: "User | None", **data: object
) -> AssociationEvent:
    return AssociationEvent.objects.create(
        association=association, kind=kind, actor=actor, data=data
    )


def case_opened_event(*, case: Case, actor: "User") -> CaseEvent:
    return _case(case, Kind.OPENED, actor, need=case.need)


def case_updated_event(*, case: Case, actor: "User", fields: list[str]) -> CaseEvent:
    return _case(case, Kind.UPDATED, actor, fields=sorted(fields))


def safety_checked_event(*, case: Case, actor: "User", threatened: bool) -> CaseEvent:
    return _case(case, Kind.SAFETY_CHECKED, actor, threatened=threatened)


def notes_changed_event(*, case: Case, actor: "User") -> CaseEvent:
    return _case(case, Kind.NOTE_CHANGED, actor)


def status_changed_event(
    *, case: Case, actor: "User | None", previous: str, status: str
) -> CaseEvent:
    return _case(case, Kind.STATUS_CHANGED, actor, previous=previous, status=status)


def referent_assigned_event(
    *, case: Case, actor: "User", referent_id: int | None
) -> CaseEvent:
    return _case(case, Kind.REFERENT_ASSIGNED, actor, referent=referent_id)


def outreach_sent_event(
    *, case: Case, actor: "User", batch: int, host_ids: list[int]
) -> CaseEvent:
    return _case(case, Kind.OUTREACH_SENT, actor, batch=batch, hosts=host_ids)


def host_answered_event(*, request: HostRequest, actor: "User") -> CaseEvent:
    return _case(
        request.case,
        Kind.HOST_ANSWERED,
        actor,
        request=request.pk,
        host=request.host_id,
        answer=request.status,
    )


def others_released_event(
    *, case: Case, actor: "User", host_ids: list[int]
) -> CaseEvent:
    return _case(case, Kind.OTHERS_RELEASED, actor, hosts=host_ids)


def placed_event(*, placement: Placement, actor: "User") -> CaseEvent:
    return _case(
        placement.case,
        Kind.PLACED,
        actor,
        placement=placement.pk,
        host=placement.host_id,
        starts_on=placement.starts_on.isoformat(),
        expected_end_on=placement.expected_end_on.isoformat(),
    )


def follow_up_scheduled_event(*, follow_up: FollowUp, actor: "User") -> CaseEvent:
    return _case(
        follow_up.placement.case,
        Kind.FOLLOW_UP_SCHEDULED,
        actor,
        follow_up=follow_up.pk,
        with_whom=follow_up.with_whom,
        due_at=follow_up.due_at.isoformat(),
    )


def check_in_logged_event(*, follow_up: FollowUp, actor: "User") -> CaseEvent:
    # A duress answer is recorded as an urgent alert, not as a check-in outcome.
    return _case(
        follow_up.placement.case,
        Kind.CHECK_IN_LOGGED,
        actor,
        follow_up=follow_up.pk,
        with_whom=follow_up.with_whom,
        outcome=follow_up.outcome,
    )


def check_in_missed_event(*, follow_up: FollowUp) -> CaseEvent:
    return _case(
        follow_up.placement.case,
        Kind.CHECK_IN_MISSED,
        None,
        follow_up=follow_up.pk,
        with_whom=follow_up.with_whom,
    )


def urgent_alert_event(*, follow_up: FollowUp, actor: "User | None") -> CaseEvent:
    return _case(
        follow_up.placement.case,
        Kind.URGENT_ALERT,
        actor,
        follow_up=follow_up.pk,
        with_whom=follow_up.with_whom,
        reason="duress",
    )


def placement_ended_event(*, placement: Placement, actor: "User") -> CaseEvent:
    return _case(placement.case, Kind.PLACEMENT_ENDED, actor, placement=placement.pk)


def notes_purged_event(*, case: Case) -> CaseEvent:
    return _case(case, Kind.NOTES_PURGED, None)
