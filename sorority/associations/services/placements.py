"""Placements and follow-ups: the stay, the check-ins, the alerts, rehousing."""

import secrets
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sorority.accounts.models import User
from sorority.associations import events
from sorority.associations.models import Case, FollowUp, HostRequest, Placement
from sorority.associations.policies import is_current_staff
from sorority.associations.services.cases import set_status
from sorority.core.errors import ApplicationError, Conflict, NotFound
from sorority.core.notify import notify_later

# What a host (or the referent, for a call) can answer at a check-in. The two "quiet"
# answers look as normal as the first; one of them is agreed in advance as the duress
# answer of a placement, which nobody looking over her shoulder can tell apart.
CHECK_IN_ANSWERS = ("fine", *Placement.DuressAnswer.values, "issue")


def grace_hours() -> int:
    return int(getattr(settings, "CASE_FOLLOW_UP_GRACE_HOURS", 12))


def _alert_referent(case: Case, *, urgent: bool) -> None:
    referent = case.referent
    if referent is None:
        return
    if urgent:
        subject = _("Urgent: please sign in now")
        body = _("Something needs your attention right away. Sign in now.")
    else:
        subject = _("Something needs your attention")
        body = _("Something needs your attention. Sign in to see it.")
    notify_later(
        user=referent,
        subject=subject,
        body=body,
        link_path=f"/associations/cases/{case.pk}/",
    )


@transaction.atomic
def follow_up_schedule(
    *, placement: Placement, actor: User, with_whom: str, due_at: datetime
) -> FollowUp:
    """Schedule a check-in with the host or the sheltered person. Emits `follow_up_scheduled`."""
    if not is_current_staff(actor, placement.case.association_id):
        raise NotFound(_("Not found."))
    if not placement.is_active:
        raise Conflict(_("This placement has ended."), code="placement_ended")
    if with_whom not in FollowUp.With.values:
        raise ApplicationError(
            _("Choose the host or the sheltered person."),
            code="invalid",
            fields={"with_whom": [_("Invalid choice.")]},
        )
    follow_up = FollowUp(placement=placement, with_whom=with_whom, due_at=due_at)
    follow_up.full_clean()
    follow_up.save()
    events.follow_up_scheduled_event(follow_up=follow_up, actor=actor)
    return follow_up


@transaction.atomic
def placement_record(
    *,
    case: Case,
    actor: User,
    request: HostRequest,
    starts_on: date,
    expected_end_on: date,
    duress_answer: str = "",
) -> Placement:
    """Record a stay with a host who accepted. Emits `placed` and `status_changed`.

    Schedules a first check-in with both sides for the next day. The duress answer
    agreed in advance is drawn at random unless given.
    """
    if not is_current_staff(actor, case.association_id):
        raise NotFound(_("Not found."))
    case = Case.objects.select_for_update().get(pk=case.pk)
    request = HostRequest.objects.select_related("host").get(pk=request.pk)
    if request.case_id != case.pk or request.status != HostRequest.Status.ACCEPTED:
        raise Conflict(
            _("Choose a host who accepted."),
            code="host_not_accepted",
            fields={"request": [_("Choose a host who accepted.")]},
        )
    if case.status not in (Case.Status.OPEN, Case.Status.SEARCHING):
        raise Conflict(
            _("This case is not looking for a place."), code="case_not_searching"
        )
    if Placement.objects.filter(case=case, host_id=request.host_id).exists():
        raise Conflict(
            _("She already hosted this person: choose another host."),
            code="host_excluded",
        )
    if Placement.objects.filter(case=case, ended_at__isnull=True).exists():
        raise Conflict(_("End the current placement first."), code="placement_active")
    if expected_end_on < starts_on:
        raise ApplicationError(
            _("The end must come after the start."),
            code="invalid",
            fields={"expected_end_on": [_("Before the start.")]},
        )
    if duress_answer and duress_answer not in Placement.DuressAnswer.values:
        raise ApplicationError(
            _("Unknown answer."),
            code="invalid",
            fields={"duress_answer": [_("Invalid choice.")]},
        )
    placement = Placement(
        case=case,
        host=request.host,
        request=request,
        starts_on=starts_on,
        expected_end_on=expected_end_on,
        duress_answer=duress_answer or secrets.choice(Placement.DuressAnswer.values),
        guest_key=secrets.token_urlsafe(24),
        created_by=actor,
    )
    placement.full_clean()
    placement.save()
    events.placed_event(placement=placement, actor=actor)
    set_status(case, Case.Status.PLACED, actor)
    first = timezone.make_aware(
        datetime.combine(starts_on + timedelta(days=1), datetime.min.time())
    ) + timedelta(hours=18)
    for with_whom in (FollowUp.With.HOST, FollowUp.With.GUEST):
        follow_up_schedule(
            placement=placement, actor=actor, with_whom=with_whom, due_at=first
        )
    return placement


@transaction.atomic
def check_in_log(
    *,
    follow_up: FollowUp | None = None,
    placement: Placement | None = None,
    actor: User,
    answer: str,
    note: str = "",
) -> FollowUp:
    """Log a check-in by the case's staff or by the host herself.

    With no scheduled follow-up given, the next one due with that side is used (or one
    is created now). The duress answer is recorded as such and raises an urgent alert
    to the referent, while the person answering sees the usual thank-you. An issue
    alerts the referent too. Emits `check_in_logged` or `urgent_alert`.
    """
    if follow_up is not None:
        follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        placement = follow_up.placement
    if placement is None:
        raise NotFound(_("Not found."))
    placement = Placement.objects.select_related("case").get(pk=placement.pk)
    if follow_up is not None:
        follow_up.placement = placement
    is_host = placement.host_id == actor.pk
    is_staff = is_current_staff(actor, placement.case.association_id)
    if not (is_host or is_staff):
        raise NotFound(_("Not found."))
    if not placement.is_active:
        raise Conflict(_("This placement has ended."), code="placement_ended")
    _check_answer(answer)
    if follow_up is None:
        follow_up = _next_follow_up(placement, FollowUp.With.HOST)
    elif is_host and not is_staff and follow_up.with_whom != FollowUp.With.HOST:
        raise NotFound(_("Not found."))
    return _record(follow_up, placement, actor, answer, note)


def _check_answer(answer: str) -> None:
    if answer not in CHECK_IN_ANSWERS:
        raise ApplicationError(
            _("Choose an answer."),
            code="invalid",
            fields={"answer": [_("Choose an answer.")]},
        )


def _next_follow_up(placement: Placement, with_whom: str) -> FollowUp:
    """The next scheduled check-in with that side, or a new one due now."""
    return (
        placement.follow_ups.filter(
            with_whom=with_whom, status=FollowUp.Status.SCHEDULED
        )
        .order_by("due_at")
        .first()
    ) or FollowUp(placement=placement, with_whom=with_whom, due_at=timezone.now())


def _record(
    follow_up: FollowUp,
    placement: Placement,
    actor: User | None,
    answer: str,
    note: str,
) -> FollowUp:
    if follow_up.status == FollowUp.Status.DONE:
        raise Conflict(_("This check-in was already logged."), code="already_logged")
    if answer == placement.duress_answer:
        follow_up.outcome = FollowUp.Outcome.DURESS
    elif answer == "issue":
        follow_up.outcome = FollowUp.Outcome.ISSUE
    else:
        follow_up.outcome = FollowUp.Outcome.FINE
    follow_up.status = FollowUp.Status.DONE
    follow_up.note = (note or "")[:500]
    follow_up.logged_by = actor
    follow_up.logged_at = timezone.now()
    follow_up.full_clean()
    follow_up.save()
    case = placement.case
    if follow_up.outcome == FollowUp.Outcome.DURESS:
        events.urgent_alert_event(follow_up=follow_up, actor=actor)
        _alert_referent(case, urgent=True)
    else:
        events.check_in_logged_event(follow_up=follow_up, actor=actor)
        if follow_up.outcome == FollowUp.Outcome.ISSUE:
            _alert_referent(case, urgent=False)
    return follow_up


@transaction.atomic
def guest_check_in(*, key: str, answer: str, note: str = "") -> FollowUp:
    """Log a check-in by the sheltered person herself, from her private link.

    She has no account: the link's key (random, shown only to the staff, dead once
    the stay ends) is the only credential. Same answers, same duress rule.
    """
    placement = (
        Placement.objects.select_for_update()
        .select_related("case")
        .filter(guest_key=key or "-", ended_at__isnull=True)
        .first()
    )
    if placement is None:
        raise NotFound(_("Not found."))
    _check_answer(answer)
    follow_up = _next_follow_up(placement, FollowUp.With.GUEST)
    return _record(follow_up, placement, None, answer, note)
    return follow_up


@transaction.atomic
def placement_end(
    *, placement: Placement, actor: User, reason: str = "", rehouse: bool = False
) -> Placement:
    """End a stay. With `rehouse`, the case goes back to searching (previous hosts
    are then excluded from the search); otherwise back to open. Emits
    `placement_ended` and `status_changed`.
    """
    if not is_current_staff(actor, placement.case.association_id):
        raise NotFound(_("Not found."))
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    if not placement.is_active:
        raise Conflict(_("This placement has already ended."), code="placement_ended")
    placement.ended_at = timezone.now()
    placement.end_reason = (reason or "")[:300]
    placement.save(update_fields=["ended_at", "end_reason"])
    events.placement_ended_event(placement=placement, actor=actor)
    case = Case.objects.select_for_update().get(pk=placement.case_id)
    set_status(case, Case.Status.SEARCHING if rehouse else Case.Status.OPEN, actor)
    return placement


def _due_follow_ups():
    return FollowUp.objects.select_related("placement__case__referent").filter(
        status=FollowUp.Status.SCHEDULED, placement__ended_at__isnull=True
    )


@transaction.atomic
def follow_ups_remind(*, now: datetime | None = None) -> int:
    """Remind referents of check-ins due within the hour (once each)."""
    now = now or timezone.now()
    count = 0
    for follow_up in (
        _due_follow_ups()
        # Lock the follow-up rows only: PostgreSQL refuses FOR UPDATE on the
        # nullable side of the outer joins select_related adds.
        .select_for_update(of=("self",))
        .filter(due_at__lte=now + timedelta(hours=1), reminded_at__isnull=True)
    ):
        follow_up.reminded_at = now
        follow_up.save(update_fields=["reminded_at"])
        referent = follow_up.placement.case.referent
        if referent is not None:
            notify_later(
                user=referent,
                subject=_("A reminder for you"),
                body=_("Something is due soon. Sign in to see it."),
                link_path=f"/associations/cases/{follow_up.placement.case_id}/",
            )
        count += 1
    return count


@transaction.atomic
def follow_ups_flag_missed(*, now: datetime | None = None) -> int:
    """Mark check-ins past their grace period as missed and alert the referent."""
    now = now or timezone.now()
    count = 0
    for follow_up in (
        _due_follow_ups()
        # Lock the follow-up rows only: PostgreSQL refuses FOR UPDATE on the
        # nullable side of the outer joins select_related adds.
        .select_for_update(of=("self",))
        .filter(due_at__lte=now - timedelta(hours=grace_hours()))
    ):
        follow_up.status = FollowUp.Status.MISSED
        follow_up.save(update_fields=["status"])
        events.check_in_missed_event(follow_up=follow_up)
        _alert_referent(follow_up.placement.case, urgent=False)
        count += 1
    return count
