"""Who may see reports and act on them."""

from django.db.models import QuerySet

from sorority.accounts.policies import AnyUser, is_moderator
from sorority.moderation.models import BanProposal, Report


def reports_visible_to(user: AnyUser) -> QuerySet[Report]:
    """Moderators see every report; nobody else sees any (her own are not listed)."""
    if not is_moderator(user):
        return Report.objects.none()
    return Report.objects.all()


def ban_proposals_visible_to(user: AnyUser) -> QuerySet[BanProposal]:
    if not is_moderator(user):
        return BanProposal.objects.none()
    return BanProposal.objects.all()


def can_act_on_report(user: AnyUser, report: Report) -> bool:
    """A moderator never decides a report she filed or that is about her."""
    return (
        is_moderator(user)
        and report.reporter_id != user.pk
        and report.reported_id != user.pk
    )


def can_decide_ban(user: AnyUser, proposal: BanProposal) -> bool:
    """Four eyes: the moderator who proposed a ban may not approve it (docs/security.md §13)."""
    return (
        is_moderator(user)
        and proposal.status == BanProposal.Status.PROPOSED
        and proposal.proposed_by_id != user.pk
        and proposal.target_id != user.pk
    )
