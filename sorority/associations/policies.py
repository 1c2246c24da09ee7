"""Who may see and act on associations, staff and cases: querysets and `can_*` rules.

Case content is only ever loaded through `cases_visible_to`: the current (active) staff
of an approved association, nobody else — not a former staff member, not another
association's staff, not a moderator. Missing and forbidden both end in 404.
"""

from django.db.models import QuerySet

from sorority.accounts.policies import AnyUser, is_member, is_moderator
from sorority.associations.models import (
    Association,
    Case,
    FollowUp,
    HostRequest,
    Membership,
    Placement,
)


def staff_association_ids(user: AnyUser) -> list[int]:
    """Ids of the approved associations where she is active staff now."""
    if not is_member(user):
        return []
    return list(
        Membership.objects.filter(
            user=user,
            status=Membership.Status.ACTIVE,
            association__status=Association.Status.APPROVED,
        ).values_list("association_id", flat=True)
    )


def associations_staffed_by(user: AnyUser) -> QuerySet[Association]:
    return Association.objects.filter(pk__in=staff_association_ids(user))


def associations_visible_to(user: AnyUser) -> QuerySet[Association]:
    """Moderators see all; staff and the representative see theirs; others none."""
    if is_moderator(user):
        return Association.objects.all()
    if not is_member(user):
        return Association.objects.none()
    return Association.objects.filter(
        pk__in=Membership.objects.filter(
            user=user, status=Membership.Status.ACTIVE
        ).values("association_id")
    ) | Association.objects.filter(representative=user)


def cases_visible_to(user: AnyUser) -> QuerySet[Case]:
    """Cases of the associations where she is current staff (the only way in)."""
    return Case.objects.filter(association_id__in=staff_association_ids(user))


def requests_for_host(user: AnyUser) -> QuerySet[HostRequest]:
    """Requests sent to her as a host (she sees the request, never the case)."""
    if not is_member(user):
        return HostRequest.objects.none()
    return HostRequest.objects.filter(host=user)


def hostings_of(user: AnyUser) -> QuerySet[Placement]:
    """Placements where she is the host."""
    if not is_member(user):
        return Placement.objects.none()
    return Placement.objects.filter(host=user)


def follow_ups_visible_to(user: AnyUser) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(placement__case__in=cases_visible_to(user))


def can_manage_staff(user: AnyUser, association: Association) -> bool:
    return (
        is_member(user)
        and association.status == Association.Status.APPROVED
        and association.representative_id == user.pk
    )


def can_decide_association(user: AnyUser) -> bool:
    return is_moderator(user)


def is_current_staff(user: AnyUser, association_id: int) -> bool:
    return association_id in staff_association_ids(user)


def placement_for_guest_key(key: str) -> Placement | None:
    """The ongoing stay a private guest check-in link opens (None once it ended)."""
    if not key:
        return None
    return Placement.objects.filter(guest_key=key, ended_at__isnull=True).first()
