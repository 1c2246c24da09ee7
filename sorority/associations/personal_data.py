"""What this app holds about a person, for her export and her erasure.

Case content belongs to the association and to the person it helps (who has no
account): a staff member's export lists her memberships and the cases she refers or
opened as references only. A host's export lists the requests she received and her
stays as a host, with the association's name and referent.
"""

from typing import TYPE_CHECKING

from sorority.core.personal_data import PersonalData, register

if TYPE_CHECKING:
    from sorority.accounts.models import User

MODELS = (
    "associations.Association",
    "associations.AssociationEvent",
    "associations.Membership",
    "associations.StaffInvitation",
    "associations.Case",
    "associations.CaseEvent",
    "associations.HostRequest",
    "associations.Placement",
    "associations.FollowUp",
)


def export_for(user: "User") -> dict:
    from sorority.associations.models import (
        Association,
        Case,
        HostRequest,
        Membership,
        Placement,
        StaffInvitation,
    )

    return {
        "associations_represented": [
            {
                "id": a.pk,
                "name": a.name,
                "identifier": a.identifier,
                "status": a.status,
                "created_at": a.created_at.isoformat(),
            }
            for a in Association.objects.filter(representative=user)
        ],
        "staff_memberships": [
            {
                "association": m.association.name,
                "status": m.status,
                "is_representative": m.is_representative,
                "created_at": m.created_at.isoformat(),
                "joined_at": m.joined_at.isoformat() if m.joined_at else None,
                "ended_at": m.ended_at.isoformat() if m.ended_at else None,
            }
            for m in Membership.objects.filter(user=user).select_related("association")
        ],
        "staff_invitations_sent": [
            {
                "association": i.association.name,
                "address": i.address,
                "status": i.status,
                "created_at": i.created_at.isoformat(),
            }
            for i in StaffInvitation.objects.filter(invited_by=user).select_related(
                "association"
            )
        ],
        "cases_referred_or_opened": [
            {
                "case_id": c.pk,
                "association": c.association.name,
                "referent": c.referent_id == user.pk,
                "opened": c.created_by_id == user.pk,
            }
            for c in Case.objects.filter(referent=user).select_related("association")
            | Case.objects.filter(created_by=user).select_related("association")
        ],
        "host_requests_received": [
            {
                "id": r.pk,
                "association": r.case.association.name,
                "status": r.status,
                "message": r.message,
                "created_at": r.created_at.isoformat(),
                "answered_at": r.answered_at.isoformat() if r.answered_at else None,
            }
            for r in HostRequest.objects.filter(host=user).select_related(
                "case__association"
            )
        ],
        "stays_hosted": [
            {
                "association": p.case.association.name,
                "starts_on": p.starts_on.isoformat(),
                "expected_end_on": p.expected_end_on.isoformat(),
                "ended_at": p.ended_at.isoformat() if p.ended_at else None,
                "check_ins": [
                    {"due_at": f.due_at.isoformat(), "status": f.status}
                    for f in p.follow_ups.filter(with_whom="host")
                ],
            }
            for p in Placement.objects.filter(host=user).select_related(
                "case__association"
            )
        ],
    }


def erase_for(user: "User") -> None:
    """Forget her: memberships and requests go; stays and events keep no link to her."""
    from sorority.accounts.models import RoleAssignment
    from sorority.accounts.services import user_revoke_role
    from sorority.associations.models import (
        Association,
        AssociationEvent,
        Case,
        CaseEvent,
        FollowUp,
        HostRequest,
        Membership,
        Placement,
        StaffInvitation,
    )

    # An invitation row addressed to her stays as the association typed it (its
    # link to her membership goes with the membership): removing it would tell
    # the association that the address had an account.
    Membership.objects.filter(user=user).delete()
    StaffInvitation.objects.filter(invited_by=user).update(invited_by=None)
    user_revoke_role(user=user, role=RoleAssignment.Role.ASSOCIATION_STAFF)
    HostRequest.objects.filter(host=user).delete()
    HostRequest.objects.filter(sent_by=user).update(sent_by=None)
    Placement.objects.filter(host=user).update(host=None)
    Placement.objects.filter(created_by=user).update(created_by=None)
    Association.objects.filter(representative=user).update(representative=None)
    Case.objects.filter(referent=user).update(referent=None)
    Case.objects.filter(created_by=user).update(created_by=None)
    CaseEvent.objects.filter(actor=user).update(actor=None)
    AssociationEvent.objects.filter(actor=user).update(actor=None)
    FollowUp.objects.filter(logged_by=user).update(logged_by=None)


def register_personal_data() -> None:
    register(
        PersonalData(
            app_label="associations",
            models=MODELS,
            export=export_for,
            erase=erase_for,
            order=40,
        )
    )
