"""Writes of moderation: reports, dismiss / warn / suspend, four-eyes bans.

Every action writes a `ModerationEvent` in the same transaction.
"""

import datetime
import functools
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sorority.accounts.models import User
from sorority.accounts.policies import vouched_by
from sorority.accounts.services import user_reinstate, user_set_status, user_suspend
from sorority.accounts.targets import member_not_found, member_target
from sorority.chat.policies import messages_visible_to
from sorority.core.errors import ApplicationError, Conflict, NotFound, RateLimited
from sorority.moderation.models import (
    DETAILS_MAX_LENGTH,
    BanProposal,
    ModerationEvent,
    Report,
    Suspension,
)
from sorority.moderation.policies import can_act_on_report, can_decide_ban

F = TypeVar("F", bound=Callable[..., object])
BAN_LIFETIME = datetime.timedelta(days=3 * 365)
SUSPENSION_MAX_DAYS = 365


def reports_per_hour() -> int:
    return int(getattr(settings, "MODERATION_REPORTS_PER_HOUR", 10))


def _event(
    *,
    kind: str,
    actor: User | None,
    target: User | None = None,
    report: Report | None = None,
    **data: object,
) -> ModerationEvent:
    return ModerationEvent.objects.create(
        kind=kind, actor=actor, target=target, report=report, data=data
    )


def _check_rate(user: User) -> None:
    key = f"moderation:reports:{user.pk}:{int(time.time() // 3600)}"
    cache.add(key, 0, timeout=3700)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=3700)
        count = 1
    if count > reports_per_hour():
        raise RateLimited(_("Too many reports in an hour. Try again later."))


def _int_or_none(value: object) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise NotFound(_("Not found.")) from None


@transaction.atomic
def report_create(
    *,
    reporter: User,
    reason: str,
    details: str = "",
    member_id: object = None,
    message_id: object = None,
) -> Report:
    """Report a member or a message she can see. Emits `reported`.

    The text of a reported message is copied into the report, so the evidence
    survives even if its author erases her account.
    """
    member_id, message_id = _int_or_none(member_id), _int_or_none(message_id)
    if (member_id is None) == (message_id is None):
        raise ApplicationError(
            _("Report either a member or a message."),
            code="invalid",
            fields={"member_id": ["Give a member or a message."]},
        )
    if reason not in Report.Reason.values:
        raise ApplicationError(
            _("Choose a reason."),
            code="invalid",
            fields={"reason": ["Unknown reason."]},
        )
    details = (details or "").replace("\x00", "").strip()
    if len(details) > DETAILS_MAX_LENGTH:
        raise ApplicationError(
            _("The details are too long."),
            code="invalid",
            fields={"details": [f"At most {DETAILS_MAX_LENGTH} characters."]},
        )
    report = Report(reporter=reporter, reason=reason, details=details)
    if message_id is not None:
        message = (
            messages_visible_to(reporter)
            .select_related("sender")
            .filter(pk=message_id)
            .first()
        )
        if message is None or message.sender_id in (None, reporter.pk):
            raise NotFound(_("No such message."))
        report.message = message
        report.message_text = message.text
        report.reported = message.sender
    else:
        # She may report someone she blocked; someone who blocked her is, to
        # her, an id that does not exist (the same answer, the same query).
        reported = member_target(reporter, member_id).user
        if reported is None or reported.pk == reporter.pk:
            raise member_not_found()
        report.reported = reported
    _check_rate(reporter)
    report.full_clean()
    report.save()
    _event(
        kind=ModerationEvent.Kind.REPORTED,
        actor=reporter,
        target=report.reported,
        report=report,
        reason=reason,
    )
    return report


class Refused(Conflict):
    """A moderator may not take this action; recorded even though nothing changes."""

    def __init__(
        self, message: str, *, code: str, report: Report | None, **data: object
    ) -> None:
        super().__init__(message, code=code)
        self.report = report
        self.data = data


def _audit_refusals(func: F) -> F:
    """Write a `refused` event after the action's transaction rolled back."""

    @functools.wraps(func)
    def wrapper(**kwargs: object) -> object:
        try:
            return func(**kwargs)
        except Refused as exc:
            _event(
                kind=ModerationEvent.Kind.REFUSED,
                actor=kwargs.get("moderator"),  # type: ignore[arg-type]
                report=exc.report,
                why=exc.code,
                **exc.data,
            )
            raise

    return wrapper  # type: ignore[return-value]


def _lock_open_report(moderator: User, report_id: int) -> Report:
    report = Report.objects.select_for_update().filter(pk=report_id).first()
    if report is None:
        raise NotFound(_("No such report."))
    if not can_act_on_report(moderator, report):
        raise Refused(
            _("Another moderator must handle a report you filed or that is about you."),
            code="conflict_of_interest",
            report=report,
        )
    if report.status != Report.Status.OPEN:
        raise Conflict(_("This report is already closed."), code="report_closed")
    return report


def _close(report: Report, moderator: User, status: str) -> None:
    report.status = status
    report.closed_at = timezone.now()
    report.closed_by = moderator
    report.save(update_fields=["status", "closed_at", "closed_by"])


@_audit_refusals
@transaction.atomic
def report_dismiss(*, moderator: User, report_id: int, note: str = "") -> Report:
    """Close a report without action. Emits `dismissed`."""
    report = _lock_open_report(moderator, report_id)
    _close(report, moderator, Report.Status.DISMISSED)
    _event(
        kind=ModerationEvent.Kind.DISMISSED,
        actor=moderator,
        target=report.reported,
        report=report,
        note=note[:500],
    )
    return report


@_audit_refusals
@transaction.atomic
def report_warn(*, moderator: User, report_id: int, note: str = "") -> Report:
    """Warn the reported member (neutral e-mail) and close. Emits `warned`."""
    from django.utils import translation

    from sorority.core.notify import notify_later

    report = _lock_open_report(moderator, report_id)
    if report.reported is None:
        raise Conflict(_("This person has left."), code="person_left")
    _close(report, moderator, Report.Status.ACTIONED)
    _event(
        kind=ModerationEvent.Kind.WARNED,
        actor=moderator,
        target=report.reported,
        report=report,
        note=note[:500],
    )
    target = report.reported
    with translation.override("fr"):
        subject = _("A message from the moderation team")
        body = _(
            "The moderation team reminds you of the community rules. "
            "Sign in to read them."
        )
    notify_later(user=target, subject=subject, body=body)
    return report


@_audit_refusals
@transaction.atomic
def report_suspend(
    *, moderator: User, report_id: int, days: int, note: str = ""
) -> Suspension:
    """Pause the reported member's access for some days and close. Emits `suspended`."""
    if not isinstance(days, int) or not 1 <= days <= SUSPENSION_MAX_DAYS:
        raise ApplicationError(
            _("Choose between 1 and 365 days."),
            code="invalid",
            fields={"days": ["Between 1 and 365."]},
        )
    report = _lock_open_report(moderator, report_id)
    target = report.reported
    if target is None or target.status == User.Status.BANNED:
        raise Conflict(_("This person has left or is banned."), code="person_left")
    suspension = Suspension.objects.create(
        user=target,
        report=report,
        until=timezone.now() + datetime.timedelta(days=days),
        created_by=moderator,
    )
    # An inactive account is refused everywhere by `access_denial` (pages, API,
    # WebSocket messages); `suspensions_lift_expired` gives access back.
    user_suspend(user=target, actor=moderator, days=days)
    _close(report, moderator, Report.Status.ACTIONED)
    _event(
        kind=ModerationEvent.Kind.SUSPENDED,
        actor=moderator,
        target=target,
        report=report,
        days=days,
        note=note[:500],
    )
    return suspension


@transaction.atomic
def suspensions_lift_expired() -> int:
    """Give access back to members whose suspension ended. Emits `suspension_lifted`."""
    now = timezone.now()
    lifted = 0
    for suspension in Suspension.objects.select_related("user").filter(
        until__lte=now, lifted_at__isnull=True
    ):
        suspension.lifted_at = now
        suspension.save(update_fields=["lifted_at"])
        still = Suspension.objects.filter(
            user=suspension.user, until__gt=now, lifted_at__isnull=True
        ).exists()
        if not still:
            user_reinstate(user=suspension.user)
        _event(
            kind=ModerationEvent.Kind.SUSPENSION_LIFTED,
            actor=None,
            target=suspension.user,
        )
        lifted += 1
    return lifted


@_audit_refusals
@transaction.atomic
def ban_propose(
    *, moderator: User, report_id: int, reason: str | None = None, note: str = ""
) -> BanProposal:
    """Propose banning the reported member; the report stays open until decided.

    Emits `ban_proposed`. Nothing changes for her until a second moderator approves.
    """
    report = _lock_open_report(moderator, report_id)
    if report.reported is None:
        raise Conflict(_("This person has left."), code="person_left")
    if BanProposal.objects.filter(
        target=report.reported, status=BanProposal.Status.PROPOSED
    ).exists():
        raise Conflict(
            _("A ban of this person is already proposed."), code="already_proposed"
        )
    proposal = BanProposal(
        target=report.reported,
        report=report,
        reason=reason or report.reason,
        note=(note or "")[:DETAILS_MAX_LENGTH],
        proposed_by=moderator,
    )
    proposal.full_clean()
    proposal.save()
    _event(
        kind=ModerationEvent.Kind.BAN_PROPOSED,
        actor=moderator,
        target=report.reported,
        report=report,
        proposal=proposal.pk,
    )
    return proposal


def _identity_tags(identity: dict | None) -> dict[str, str]:
    """Tag a transcribed identity in memory with the newest key; keep only the tag."""
    if not identity:
        return {}
    from sorority.verification.identity import identity_tag

    keyring: dict[int, bytes] = settings.IDENTITY_TAG_KEYS
    version = max(keyring)
    try:
        tag = identity_tag(
            family_name=identity.get("family_name", ""),
            given_names=identity.get("given_names", ""),
            birth_date=identity.get("birth_date"),
            key=keyring[version],
            key_version=version,
        )
    except (TypeError, ValueError) as exc:
        raise ApplicationError(
            _("The identity is incomplete."),
            code="invalid",
            fields={"family_name": [str(exc)]},
        ) from None
    return {str(version): tag}


def _lock_proposal(moderator: User, proposal_id: int) -> BanProposal:
    proposal = BanProposal.objects.select_for_update().filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound(_("No such proposal."))
    if proposal.status != BanProposal.Status.PROPOSED:
        raise Conflict(_("This proposal is already decided."), code="already_decided")
    if not can_decide_ban(moderator, proposal):
        raise Refused(
            _("A ban needs a second, different moderator."),
            code="second_moderator_required",
            report=proposal.report,
            proposal=proposal.pk,
        )
    return proposal


@_audit_refusals
@transaction.atomic
def ban_approve(
    *, moderator: User, proposal_id: int, identity: dict | None = None
) -> BanProposal:
    """Approve a ban proposed by another moderator. Emits `ban_approved`.

    The account is set to banned. When the approver has an identity to tag (family
    name, given names, birth date), only its keyed tag is stored (docs/security.md §24, 25).
    """
    proposal = _lock_proposal(moderator, proposal_id)
    now = timezone.now()
    proposal.status = BanProposal.Status.APPROVED
    proposal.decided_by = moderator
    proposal.decided_at = now
    proposal.tags = _identity_tags(identity)
    proposal.expires_at = now + BAN_LIFETIME
    proposal.full_clean()
    proposal.save()
    if proposal.tags:
        _record_on_ban_list(proposal, approver=moderator)
    if proposal.target is not None:
        user_set_status(
            user=proposal.target, status=User.Status.BANNED, actor=moderator
        )
    if proposal.report is not None and proposal.report.status == Report.Status.OPEN:
        _close(proposal.report, moderator, Report.Status.ACTIONED)
    _event(
        kind=ModerationEvent.Kind.BAN_APPROVED,
        actor=moderator,
        target=proposal.target,
        report=proposal.report,
        proposal=proposal.pk,
        tagged=bool(proposal.tags),
    )
    return proposal


# Report reasons mapped to the ban list's categories (verification.BanEntry).
_BAN_CATEGORIES = {
    Report.Reason.HARASSMENT: "harassment",
    Report.Reason.SUSPECTED_ABUSER: "violence",
    Report.Reason.IMPERSONATION: "impersonation",
    Report.Reason.SAFETY: "violence",
}


def _record_on_ban_list(proposal: BanProposal, *, approver: User) -> None:
    """Put the approved ban's tags on the one ban list that verification checks.

    The entry is proposed by the moderator who proposed the ban and approved by the
    second one, so the ban list keeps its own four-eyes record.
    """
    from sorority.verification.services import ban_entry_approve, ban_entry_propose

    if proposal.proposed_by is None:
        return
    tags = {int(version): tag for version, tag in proposal.tags.items()}
    entry = ban_entry_propose(
        # The proposer is absent: the approver's second-factor session carries this.
        actor=vouched_by(proposal.proposed_by, approver),
        reason_category=_BAN_CATEGORIES.get(proposal.reason, "other_safety"),
        tags=tags,
        expires_at=proposal.expires_at,
    )
    ban_entry_approve(entry=entry, actor=approver)


@_audit_refusals
@transaction.atomic
def ban_reject(*, moderator: User, proposal_id: int, note: str = "") -> BanProposal:
    """Turn down a ban proposed by another moderator. Emits `ban_rejected`."""
    proposal = _lock_proposal(moderator, proposal_id)
    proposal.status = BanProposal.Status.REJECTED
    proposal.decided_by = moderator
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    _event(
        kind=ModerationEvent.Kind.BAN_REJECTED,
        actor=moderator,
        target=proposal.target,
        report=proposal.report,
        proposal=proposal.pk,
        note=note[:500],
    )
    return proposal
