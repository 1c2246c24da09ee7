"""Cases: opening, needs, safety check, notes, status, referent, retention."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sorority.accounts.models import User
from sorority.associations import events
from sorority.associations.models import (
    Association,
    Case,
    FollowUp,
    Membership,
    Placement,
)
from sorority.associations.policies import is_current_staff
from sorority.core.errors import ApplicationError, Conflict, NotFound
from sorority.places import gazetteer

SUPPORT_KINDS = (
    "listening",
    "medical",
    "police",
    "administrative",
    "job_interview",
    "outing",
    "other",
)
ANIMALS = ("cat", "dog", "other")
MAX_CHILDREN = 10
MAX_ADULTS = 10
MAX_NIGHTS = 365
MAX_AVOID_RADIUS_KM = 100
MAX_NOTES = 10_000

# Status changes a person may ask for; "placed" is reached only by recording a
# placement, and leaving "placed" only by ending it.
MANUAL_TRANSITIONS = {
    Case.Status.OPEN: {Case.Status.SEARCHING, Case.Status.CLOSED},
    Case.Status.SEARCHING: {Case.Status.OPEN, Case.Status.CLOSED},
    Case.Status.PLACED: set(),
    Case.Status.CLOSED: {Case.Status.OPEN},
}

NEED_FIELDS = (
    "need",
    "support_kinds",
    "adults",
    "children_ages",
    "animals",
    "nights",
    "step_free",
    "target_commune",
    "avoid_commune",
    "avoid_radius_km",
)


def retention_days() -> int:
    return int(getattr(settings, "CASE_NOTES_RETENTION_DAYS", 180))


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid", fields={field: [message]})


def _clean_needs(values: dict) -> dict:
    """Check and normalise the needs of a case; raise a field error on bad input."""
    cleaned: dict = {}
    for key, value in values.items():
        if key not in NEED_FIELDS:
            continue
        if key == "need":
            if value not in Case.Need.values:
                raise _invalid(key, _("Choose a safe place or help and support."))
        elif key == "support_kinds":
            value = sorted(set(value or []))
            if any(kind not in SUPPORT_KINDS for kind in value):
                raise _invalid(key, _("Unknown kind of support."))
        elif key == "animals":
            value = sorted(set(value or []))
            if any(animal not in ANIMALS for animal in value):
                raise _invalid(key, _("Unknown animal."))
        elif key == "children_ages":
            value = [int(age) for age in (value or [])]
            if len(value) > MAX_CHILDREN or any(not 0 <= age <= 17 for age in value):
                raise _invalid(key, _("Give each child's age, from 0 to 17."))
        elif key == "adults":
            if not 1 <= int(value) <= MAX_ADULTS:
                raise _invalid(key, _("From 1 to 10 adults."))
            value = int(value)
        elif key == "nights":
            if not 1 <= int(value) <= MAX_NIGHTS:
                raise _invalid(key, _("From 1 to 365 nights."))
            value = int(value)
        elif key == "avoid_radius_km":
            if not 0 <= int(value) <= MAX_AVOID_RADIUS_KM:
                raise _invalid(key, _("From 0 to 100 km."))
            value = int(value)
        elif key in ("target_commune", "avoid_commune"):
            value = (value or "").strip().upper()
            if value and gazetteer.get(value) is None:
                raise _invalid(key, _("Unknown commune."))
        elif key == "step_free":
            value = bool(value)
        cleaned[key] = value
    return cleaned


def _save(case: Case, fields: list[str]) -> None:
    try:
        case.full_clean()
    except ValidationError as exc:
        raise _invalid_case(exc) from exc
    case.save(update_fields=[*fields, "updated_at"])


def _invalid_case(exc: ValidationError) -> ApplicationError:
    """The model's own messages (the label rule's, say), the same on every door."""
    fields = exc.message_dict
    message = "; ".join(m for messages in fields.values() for m in messages)
    return ApplicationError(message, code="invalid", fields=fields)


def _require_staff(user: User, case: Case) -> None:
    if not is_current_staff(user, case.association_id):
        raise NotFound(_("Not found."))


@transaction.atomic
def case_open(
    *,
    association: Association,
    actor: User,
    label: str,
    notes: str = "",
    **needs: object,
) -> Case:
    """Open a case for an association she is current staff of. Emits `opened`.

    She becomes its referent.
    """
    if not is_current_staff(actor, association.pk):
        raise NotFound(_("Not found."))
    label = (label or "").strip()
    if not label:
        raise _invalid("label", _("Give the case a pseudonymous label."))
    case = Case(
        association=association,
        label=label,
        notes=(notes or "")[:MAX_NOTES],
        referent=actor,
        created_by=actor,
        **_clean_needs(needs),
    )
    try:
        case.full_clean()
    except ValidationError as exc:
        raise _invalid_case(exc) from exc
    case.save()
    events.case_opened_event(case=case, actor=actor)
    events.referent_assigned_event(case=case, actor=actor, referent_id=actor.pk)
    return case


@transaction.atomic
def case_update_needs(
    *, case: Case, actor: User, label: str | None = None, **needs: object
) -> Case:
    """Change the label or needs of a case. Emits `updated` with the changed fields."""
    _require_staff(actor, case)
    if case.status == Case.Status.CLOSED:
        raise Conflict(_("This case is closed."), code="case_closed")
    changed: list[str] = []
    if label is not None and label.strip() and label.strip() != case.label:
        case.label = label.strip()
        changed.append("label")
    for key, value in _clean_needs(needs).items():
        if getattr(case, key) != value:
            setattr(case, key, value)
            changed.append(key)
    if changed:
        _save(case, changed)
        events.case_updated_event(case=case, actor=actor, fields=changed)
    return case


@transaction.atomic
def case_record_safety_check(*, case: Case, actor: User, threatened: bool) -> Case:
    """Record that she was asked whether she is followed or threatened, and the answer.

    Emits `safety_checked`. While the answer is yes, no host may be contacted: the
    police (17) come first, and no host is ever put in danger.
    """
    _require_staff(actor, case)
    case.safety_asked_at = timezone.now()
    case.safety_threatened = bool(threatened)
    _save(case, ["safety_asked_at", "safety_threatened"])
    events.safety_checked_event(case=case, actor=actor, threatened=bool(threatened))
    return case


@transaction.atomic
def case_set_notes(*, case: Case, actor: User, notes: str) -> Case:
    """Replace the notes of a case. Emits `note_changed` (never the content)."""
    _require_staff(actor, case)
    if case.notes_purged_at is not None:
        raise Conflict(_("The notes of this case were deleted."), code="notes_purged")
    notes = notes or ""
    if len(notes) > MAX_NOTES:
        raise _invalid("notes", _("The notes are too long."))
    if notes != case.notes:
        case.notes = notes
        _save(case, ["notes"])
        events.notes_changed_event(case=case, actor=actor)
    return case


def set_status(case: Case, status: str, actor: User | None) -> None:
    """Move a case to another status, stamping close and retention dates."""
    previous = case.status
    if previous == status:
        return
    case.status = status
    fields = ["status"]
    if status == Case.Status.CLOSED:
        case.closed_at = timezone.now()
        case.notes_retained_until = case.closed_at + timedelta(days=retention_days())
        fields += ["closed_at", "notes_retained_until"]
    elif previous == Case.Status.CLOSED:
        case.closed_at = None
        case.notes_retained_until = None
        fields += ["closed_at", "notes_retained_until"]
    _save(case, fields)
    events.status_changed_event(
        case=case, actor=actor, previous=previous, status=status
    )


@transaction.atomic
def case_set_status(*, case: Case, actor: User, status: str) -> Case:
    """Change the status of a case along the allowed transitions. Emits `status_changed`.

    Closing sets the date after which its notes are deleted.
    """
    _require_staff(actor, case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if status not in Case.Status.values:
        raise _invalid("status", _("Unknown status."))
    if status == case.status:
        return case
    if status not in MANUAL_TRANSITIONS[Case.Status(case.status)]:
        raise Conflict(
            _("This case cannot go from %(a)s to %(b)s.")
            % {"a": case.get_status_display(), "b": Case.Status(status).label},
            code="invalid_transition",
        )
    set_status(case, status, actor)
    return case


@transaction.atomic
def case_assign_referent(*, case: Case, actor: User, referent: User | None) -> Case:
    """Make one of the association's current staff the referent. Emits `referent_assigned`."""
    _require_staff(actor, case)
    if (
        referent is not None
        and not Membership.objects.filter(
            association_id=case.association_id,
            user=referent,
            status=Membership.Status.ACTIVE,
        ).exists()
    ):
        raise _invalid(
            "referent", _("The referent must be on the association's staff.")
        )
    if case.referent_id != (referent.pk if referent else None):
        case.referent = referent
        _save(case, ["referent"])
        events.referent_assigned_event(
            case=case, actor=actor, referent_id=referent.pk if referent else None
        )
    return case


@transaction.atomic
def case_purge_expired_notes(*, now: object = None) -> int:
    """Delete the notes (and check-in notes, end reasons) of closed cases past their
    retention date. Emits `notes_purged`.
    """
    now = now or timezone.now()
    count = 0
    for case in Case.objects.select_for_update().filter(
        status=Case.Status.CLOSED,
        notes_retained_until__lte=now,
        notes_purged_at__isnull=True,
    ):
        case.notes = ""
        case.notes_purged_at = timezone.now()
        case.save(update_fields=["notes", "notes_purged_at"])
        # Free text written at check-ins and at the end of stays goes with the notes.
        FollowUp.objects.filter(placement__case=case).update(note="")
        Placement.objects.filter(case=case).update(end_reason="")
        events.notes_purged_event(case=case)
        count += 1
    return count
