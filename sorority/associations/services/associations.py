"""Association registration, moderator decision, and staff membership."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sorority.accounts.models import RoleAssignment, User
from sorority.accounts.policies import is_member, is_moderator
from sorority.accounts.services import user_grant_role, user_revoke_role
from sorority.associations import events
from sorority.associations.identifiers import identifier_kind, normalise_identifier
from sorority.associations.models import (
    Association,
    AssociationEvent,
    Case,
    Membership,
    StaffInvitation,
)
from sorority.associations.policies import can_manage_staff
from sorority.core import account_state
from sorority.core.account_state import Reason
from sorority.core.errors import ApplicationError, Conflict, NotFound
from sorority.core.notify import notify_later

STAFF_ROLE = RoleAssignment.Role.ASSOCIATION_STAFF


@transaction.atomic
def association_register(
    *, representative: User, name: str, identifier: str, address: str
) -> Association:
    """Register an association, pending a moderator's decision. Emits `registered`."""
    if not is_member(representative):
        raise ApplicationError(
            _("The representative must be a verified member."),
            code="verification_required",
        )
    kind = identifier_kind(identifier)
    if kind is None:
        raise ApplicationError(
            _(
                "Enter an RNA number (W and 9 digits) or a valid SIREN number (9 digits)."
            ),
            code="invalid_identifier",
            fields={"identifier": [_("Invalid RNA or SIREN number.")]},
        )
    value = normalise_identifier(identifier)
    if Association.objects.filter(identifier=value).exists():
        raise Conflict(
            _("An association with this number is already registered."),
            code="identifier_taken",
            fields={"identifier": [_("Already registered.")]},
        )
    association = Association(
        name=(name or "").strip(),
        identifier_kind=kind,
        identifier=value,
        address=(address or "").strip(),
        representative=representative,
    )
    association.full_clean()
    association.save()
    events.association_event(
        association=association,
        kind=AssociationEvent.Kind.REGISTERED,
        actor=representative,
    )
    return association


def _pending(association: Association) -> None:
    if association.status != Association.Status.PENDING:
        raise Conflict(
            _("This association was already decided."), code="already_decided"
        )


def _require_moderator(actor: User) -> None:
    if not is_moderator(actor):
        raise NotFound(_("Not found."))


@transaction.atomic
def association_approve(*, association: Association, actor: User) -> Association:
    """Approve an association; its representative becomes staff. Emits `approved`."""
    _require_moderator(actor)
    association = Association.objects.select_for_update().get(pk=association.pk)
    _pending(association)
    representative = association.representative
    if representative is None or not is_member(representative):
        raise Conflict(
            _("The representative is no longer a verified member."),
            code="representative_not_member",
        )
    association.status = Association.Status.APPROVED
    association.decided_at = timezone.now()
    association.save(update_fields=["status", "decided_at"])
    Membership.objects.update_or_create(
        association=association,
        user=representative,
        defaults={
            "status": Membership.Status.ACTIVE,
            "is_representative": True,
            "joined_at": timezone.now(),
            "ended_at": None,
        },
    )
    user_grant_role(user=representative, role=STAFF_ROLE, actor=actor)
    events.association_event(
        association=association, kind=AssociationEvent.Kind.APPROVED, actor=actor
    )
    notify_later(
        user=representative,
        subject=_("Your request was reviewed"),
        body=_("A decision was made about your request. Sign in to see it."),
        link_path="/associations/",
    )
    return association


@transaction.atomic
def association_refuse(
    *, association: Association, actor: User, reason: str
) -> Association:
    """Refuse an association with a reason. Emits `refused`."""
    _require_moderator(actor)
    association = Association.objects.select_for_update().get(pk=association.pk)
    _pending(association)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Give a reason."),
            code="reason_required",
            fields={"reason": [_("Required.")]},
        )
    association.status = Association.Status.REFUSED
    association.refusal_reason = reason[:300]
    association.decided_at = timezone.now()
    association.save(update_fields=["status", "refusal_reason", "decided_at"])
    events.association_event(
        association=association, kind=AssociationEvent.Kind.REFUSED, actor=actor
    )
    return association


def invitation_address(reference: object) -> str:
    """The address an invitation is filed under: a member number or an e-mail.

    Only the form is checked here (a number, or something shaped like an e-mail),
    never whether anyone has it.
    """
    value = str(reference or "").strip()
    if value.startswith("#"):
        value = value[1:].strip()
    if value.isdigit() and 0 < int(value) < 2**63:
        return str(int(value))
    try:
        validate_email(value)
    except ValidationError:
        raise ApplicationError(
            _("Enter a member number or an e-mail address."),
            code="invalid",
            fields={"member": [_("Enter a member number or an e-mail address.")]},
        ) from None
    return value.lower()


def _invitable(address: str, actor: User) -> User | None:
    """The verified member an address names, if she may be invited by `actor`.

    One query, whatever the answer. Someone who blocked the inviter (or whom the
    inviter blocked) is treated as nobody.
    """
    people = User.objects.filter(status=User.Status.MEMBER, is_active=True)
    people = (
        people.filter(pk=int(address))
        if address.isdigit()
        else people.filter(email__iexact=address)
    )
    return (
        people.exclude(blocks_made__blocked=actor)
        .exclude(blocks_received__blocker=actor)
        .first()
    )


@transaction.atomic
def staff_invite(
    *, association: Association, actor: User, reference: object
) -> StaffInvitation:
    """Invite someone to the staff by member number or e-mail. Emits `staff_invited`.

    The association gets the same answer and sees the same pending row for every
    well-formed address: a member's, an applicant's, a banned person's, nobody's,
    or someone who blocked the inviter. Only a verified member who may be invited
    gets a private invitation in her account and a neutral e-mail; nobody else is
    written to (an e-mail to an address with no account could itself expose her).
    """
    if not can_manage_staff(actor, association):
        raise NotFound(_("Not found."))
    address = invitation_address(reference)
    if StaffInvitation.objects.filter(
        association=association, address=address, status=StaffInvitation.Status.PENDING
    ).exists():
        raise Conflict(
            _("An invitation to this address is already pending."),
            code="already_invited",
        )
    invitation = StaffInvitation(
        association=association, address=address, invited_by=actor
    )
    invitation.full_clean()
    invitation.save()
    events.association_event(
        association=association,
        kind=AssociationEvent.Kind.STAFF_INVITED,
        actor=actor,
        invitation=invitation.pk,
    )
    invitee = _invitable(address, actor)
    if invitee is None:
        return invitation
    membership = Membership.objects.filter(
        association=association, user=invitee
    ).first()
    if membership and membership.status == Membership.Status.ACTIVE:
        return invitation  # already on this staff: nothing to send
    if membership is None:
        membership = Membership(association=association, user=invitee)
    membership.status = Membership.Status.INVITED
    membership.invited_by = actor
    membership.ended_at = None
    membership.full_clean()
    membership.save()
    invitation.membership = membership
    invitation.save(update_fields=["membership"])
    notify_later(
        user=invitee,
        subject=_("You have a new invitation"),
        body=_("Someone invited you. Sign in to answer."),
        link_path="/associations/",
    )
    return invitation


@transaction.atomic
def staff_invitation_withdraw(
    *, invitation: StaffInvitation, actor: User
) -> StaffInvitation:
    """Withdraw a pending invitation (and, silently, the invitation she may hold)."""
    invitation = StaffInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not can_manage_staff(actor, invitation.association):
        raise NotFound(_("Not found."))
    if invitation.status != StaffInvitation.Status.PENDING:
        raise NotFound(_("Not found."))
    invitation.status = StaffInvitation.Status.WITHDRAWN
    invitation.save(update_fields=["status"])
    if invitation.membership_id:
        Membership.objects.filter(
            pk=invitation.membership_id, status=Membership.Status.INVITED
        ).update(status=Membership.Status.REMOVED, ended_at=timezone.now())
    events.association_event(
        association=invitation.association,
        kind=AssociationEvent.Kind.STAFF_REMOVED,
        actor=actor,
        invitation=invitation.pk,
    )
    return invitation


def _invited(membership: Membership, user: User) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.user_id != user.pk or membership.status != Membership.Status.INVITED:
        raise NotFound(_("Not found."))
    if membership.association.status != Association.Status.APPROVED:
        raise NotFound(_("Not found."))
    return membership


@transaction.atomic
def staff_accept(*, membership: Membership, user: User) -> Membership:
    """Join a staff she was invited to; she gets the staff role. Emits `staff_joined`."""
    membership = _invited(membership, user)
    if not is_member(user):
        raise ApplicationError(
            _("Your account must be verified first."), code="verification_required"
        )
    membership.status = Membership.Status.ACTIVE
    membership.joined_at = timezone.now()
    membership.save(update_fields=["status", "joined_at"])
    StaffInvitation.objects.filter(
        membership=membership, status=StaffInvitation.Status.PENDING
    ).update(status=StaffInvitation.Status.ACCEPTED)
    user_grant_role(user=user, role=STAFF_ROLE, actor=user)
    events.association_event(
        association=membership.association,
        kind=AssociationEvent.Kind.STAFF_JOINED,
        actor=user,
        member=user.pk,
    )
    return membership


@transaction.atomic
def staff_decline(*, membership: Membership, user: User) -> Membership:
    """Decline an invitation. The association is not told (no event on its log).

    Its invitation row stays pending, exactly like one sent to an address that
    is nobody's: declining must not reveal that she is a member.
    """
    membership = _invited(membership, user)
    membership.status = Membership.Status.DECLINED
    membership.ended_at = timezone.now()
    membership.save(update_fields=["status", "ended_at"])
    return membership


def revoke_role_if_no_association(*, user: User, actor: User | None) -> None:
    """Take the staff role away from someone left with no active staff membership."""
    still_staff = Membership.objects.filter(
        user=user,
        status=Membership.Status.ACTIVE,
        association__status=Association.Status.APPROVED,
    ).exists()
    if not still_staff:
        user_revoke_role(user=user, role=STAFF_ROLE, actor=actor)


@transaction.atomic
def staff_remove(*, membership: Membership, actor: User) -> Membership:
    """Remove a staff member (or withdraw an invitation, or leave oneself).

    She loses access to every case at once (policies read active memberships only);
    her cases lose their referent, and the role goes when she has no other
    association. Emits `staff_removed`.
    """
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    association = membership.association
    leaving_herself = membership.user_id == actor.pk
    if not (leaving_herself or can_manage_staff(actor, association)):
        raise NotFound(_("Not found."))
    if membership.status not in (Membership.Status.ACTIVE, Membership.Status.INVITED):
        raise NotFound(_("Not found."))
    if membership.status == Membership.Status.INVITED and not leaving_herself:
        # The association never sees who holds an invitation: withdraw the
        # invitation (`staff_invitation_withdraw`) instead.
        raise NotFound(_("Not found."))
    if membership.is_representative:
        raise Conflict(
            _("The representative cannot be removed from the staff."),
            code="representative_stays",
        )
    membership.status = Membership.Status.REMOVED
    membership.ended_at = timezone.now()
    membership.save(update_fields=["status", "ended_at"])
    for case in Case.objects.filter(association=association, referent=membership.user):
        case.referent = None
        case.save(update_fields=["referent", "updated_at"])
        events.referent_assigned_event(case=case, actor=actor, referent_id=None)
    revoke_role_if_no_association(user=membership.user, actor=actor)
    account_state.changed(user_id=membership.user_id, reason=Reason.MEMBERSHIP)
    events.association_event(
        association=association,
        kind=AssociationEvent.Kind.STAFF_REMOVED,
        actor=actor,
        member=membership.user_id,
    )
    return membership
