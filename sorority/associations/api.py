"""JSON API: associations and staff, `/cases` (needs, outreach, answers, placements,
follow-ups), and the host's side (`/host-requests`, `/hostings`).

Case endpoints use the MEMBER rule and then `cases_visible_to`: anyone who is not
current staff of the case's association gets 404, exactly like a missing case.
"""

from typing import Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status

from sorority.accounts.models import User
from sorority.associations import selectors, services
from sorority.associations.models import Association, Case, HostRequest, Membership
from sorority.associations.policies import (
    associations_staffed_by,
    associations_visible_to,
    can_manage_staff,
    follow_ups_visible_to,
    hostings_of,
    requests_for_host,
)
from sorority.associations.schemas import (
    AnswerIn,
    AssociationIn,
    AssociationOut,
    CaseIn,
    CaseOut,
    CasePatch,
    CaseSummary,
    CheckInIn,
    DecisionIn,
    EndIn,
    EventOut,
    FollowUpIn,
    FollowUpOut,
    HostingOut,
    HostOut,
    HostRequestOut,
    InvitationOut,
    InviteIn,
    MembershipOut,
    Needs,
    Ok,
    OutreachIn,
    PlacementIn,
    PlacementOut,
    RequestOut,
    SafetyIn,
)
from sorority.core.access import Access
from sorority.core.api import api_access
from sorority.core.errors import ApplicationError, NotFound
from sorority.core.ids import Id

API_PREFIX = ""
router = Router(tags=["associations"])
MEMBER = api_access(Access.MEMBER)
MODERATOR = api_access(Access.MODERATOR)


# --------------------------------------------------------------- associations


@router.post("/associations", response={201: AssociationOut}, auth=MEMBER)
def association_create(request: HttpRequest, payload: AssociationIn) -> Status:
    """Register an association (pending a moderator); she is its representative."""
    return Status(
        201,
        services.association_register(representative=request.user, **payload.dict()),
    )


@router.get("/associations", response=list[AssociationOut], auth=MEMBER)
def association_list(request: HttpRequest) -> list[Association]:
    """Associations she represents or is staff of (moderators: all)."""
    return list(associations_visible_to(request.user).order_by("pk"))


@router.get("/associations/invitations", response=list[MembershipOut], auth=MEMBER)
def invitation_list(request: HttpRequest) -> list[Membership]:
    return list(
        Membership.objects.filter(
            user=request.user,
            status=Membership.Status.INVITED,
            association__status=Association.Status.APPROVED,
        ).select_related("user")
    )


@router.post(
    "/associations/invitations/{pk}/{answer}", response=MembershipOut, auth=MEMBER
)
def invitation_answer(
    request: HttpRequest, pk: Id, answer: Literal["accept", "decline"]
) -> Membership:
    membership = get_object_or_404(Membership.objects.filter(user=request.user), pk=pk)
    if answer == "accept":
        return services.staff_accept(membership=membership, user=request.user)
    return services.staff_decline(membership=membership, user=request.user)


@router.get("/associations/{pk}", response=AssociationOut, auth=MEMBER)
def association_get(request: HttpRequest, pk: Id) -> Association:
    return get_object_or_404(associations_visible_to(request.user), pk=pk)


@router.get("/associations/{pk}/staff", response=list[MembershipOut], auth=MEMBER)
def staff_list(request: HttpRequest, pk: Id) -> list[Membership]:
    """People who joined the staff (invitations are listed apart, by address)."""
    association = get_object_or_404(associations_visible_to(request.user), pk=pk)
    return list(selectors.staff_seen_by_association(association))


@router.post("/associations/{pk}/staff", response={201: InvitationOut}, auth=MEMBER)
def staff_invite(request: HttpRequest, pk: Id, payload: InviteIn) -> Status:
    """Invite someone by member number or e-mail; the answer is the same for every
    address (member or not): she sees the invitation in her account if she may join.
    """
    association = get_object_or_404(associations_visible_to(request.user), pk=pk)
    return Status(
        201,
        services.staff_invite(
            association=association, actor=request.user, reference=payload.member
        ),
    )


@router.get("/associations/{pk}/invitations", response=list[InvitationOut], auth=MEMBER)
def staff_invitation_list(request: HttpRequest, pk: Id) -> list:
    """Pending invitations of an association (its representative only)."""
    association = get_object_or_404(associations_visible_to(request.user), pk=pk)
    if not can_manage_staff(request.user, association):
        raise NotFound(_("Not found."))
    return list(selectors.invitations_seen_by_association(association))


@router.delete(
    "/associations/{pk}/invitations/{invitation_pk}",
    response=InvitationOut,
    auth=MEMBER,
)
def staff_invitation_withdraw(
    request: HttpRequest, pk: Id, invitation_pk: Id
) -> object:
    association = get_object_or_404(associations_visible_to(request.user), pk=pk)
    invitation = get_object_or_404(association.invitations, pk=invitation_pk)
    return services.staff_invitation_withdraw(invitation=invitation, actor=request.user)


@router.delete(
    "/associations/{pk}/staff/{membership_pk}", response=MembershipOut, auth=MEMBER
)
def staff_remove(request: HttpRequest, pk: Id, membership_pk: Id) -> Membership:
    """Remove a staff member (or leave): her access to every case ends at once."""
    association = get_object_or_404(associations_visible_to(request.user), pk=pk)
    membership = get_object_or_404(association.memberships, pk=membership_pk)
    return services.staff_remove(membership=membership, actor=request.user)


@router.get("/associations/{pk}/export", auth=MEMBER)
def association_export(request: HttpRequest, pk: Id) -> dict:
    """Everything the association holds (its cases in full), for its current staff."""
    association = get_object_or_404(associations_staffed_by(request.user), pk=pk)
    return selectors.association_export(association)


@router.get("/moderation/associations", response=list[AssociationOut], auth=MODERATOR)
def review_queue(request: HttpRequest) -> list[Association]:
    """Associations waiting for a decision, oldest first."""
    return list(Association.objects.filter(status=Association.Status.PENDING))


@router.post(
    "/moderation/associations/{pk}/decision", response=AssociationOut, auth=MODERATOR
)
def review_decide(request: HttpRequest, pk: Id, payload: DecisionIn) -> Association:
    association = get_object_or_404(Association, pk=pk)
    if payload.decision == "approve":
        return services.association_approve(association=association, actor=request.user)
    return services.association_refuse(
        association=association, actor=request.user, reason=payload.reason
    )


# ---------------------------------------------------------------------- cases


def _case(request: HttpRequest, pk: Id) -> Case:
    return selectors.case_get(user=request.user, pk=pk)


def _needs(payload: Needs) -> dict:
    return {
        k: v
        for k, v in payload.dict(exclude_unset=True).items()
        if k in Needs.model_fields and v is not None
    }


@router.get("/cases", response=list[CaseSummary], auth=MEMBER)
def case_list(request: HttpRequest, status: str = "") -> list[Case]:
    """Cases of the associations where she is current staff (404 for anyone else)."""
    if not associations_staffed_by(request.user).exists():
        raise NotFound("Not found.")
    return list(selectors.case_list(user=request.user, status=status))


@router.post("/cases", response={201: CaseOut}, auth=MEMBER)
def case_create(request: HttpRequest, payload: CaseIn) -> Status:
    staffed = associations_staffed_by(request.user)
    if payload.association_id is not None:
        association = get_object_or_404(staffed, pk=payload.association_id)
    else:
        association = staffed.first()
        if association is None:
            raise NotFound("Not found.")
    case = services.case_open(
        association=association,
        actor=request.user,
        label=payload.label,
        notes=payload.notes,
        **_needs(payload),
    )
    return Status(201, _case(request, case.pk))


@router.get("/cases/{pk}", response=CaseOut, auth=MEMBER)
def case_get(request: HttpRequest, pk: Id) -> Case:
    return _case(request, pk)


@router.patch("/cases/{pk}", response=CaseOut, auth=MEMBER)
def case_patch(request: HttpRequest, pk: Id, payload: CasePatch) -> Case:
    """Change the label, needs, notes, status (allowed transitions only) or referent."""
    case = _case(request, pk)
    fields = payload.dict(exclude_unset=True)
    needs = _needs(payload)
    if needs or payload.label:
        services.case_update_needs(
            case=case, actor=request.user, label=payload.label, **needs
        )
    if "notes" in fields and payload.notes is not None:
        services.case_set_notes(case=case, actor=request.user, notes=payload.notes)
    if "referent_id" in fields:
        referent = (
            User.objects.filter(pk=payload.referent_id).first()
            if payload.referent_id
            else None
        )
        if payload.referent_id and referent is None:
            raise ApplicationError(
                "Unknown referent.",
                code="invalid",
                fields={"referent_id": ["Unknown."]},
            )
        services.case_assign_referent(case=case, actor=request.user, referent=referent)
    if payload.status:
        services.case_set_status(case=case, actor=request.user, status=payload.status)
    return _case(request, pk)


@router.post("/cases/{pk}/safety-check", response=CaseOut, auth=MEMBER)
def case_safety(request: HttpRequest, pk: Id, payload: SafetyIn) -> Case:
    """Record that she was asked whether she is followed or threatened (yes: call 17)."""
    services.case_record_safety_check(
        case=_case(request, pk), actor=request.user, threatened=payload.threatened
    )
    return _case(request, pk)


@router.get("/cases/{pk}/timeline", response=list[EventOut], auth=MEMBER)
def case_timeline(request: HttpRequest, pk: Id) -> list:
    return list(_case(request, pk).events.all())


@router.get("/cases/{pk}/hosts", response=list[HostOut], auth=MEMBER)
def case_hosts(request: HttpRequest, pk: Id, limit: int = 20) -> list:
    """Hosts around the target area matching her needs; previous ones left out."""
    case = _case(request, pk)
    return selectors.host_candidates(
        user=request.user, case=case, limit=max(1, min(limit, 50))
    )


@router.post("/cases/{pk}/outreach", response={201: list[RequestOut]}, auth=MEMBER)
def case_outreach(request: HttpRequest, pk: Id, payload: OutreachIn) -> Status:
    """Send the templated request to up to ten hosts at once."""
    sent = services.outreach_send(
        case=_case(request, pk),
        actor=request.user,
        host_ids=payload.host_ids,
        message=payload.message,
    )
    return Status(201, sent)


@router.get("/cases/{pk}/requests", response=list[RequestOut], auth=MEMBER)
def case_requests(request: HttpRequest, pk: Id) -> list:
    return list(_case(request, pk).requests.all())


@router.post(
    "/cases/{pk}/requests/{request_pk}/answer", response=RequestOut, auth=MEMBER
)
def case_request_answer(
    request: HttpRequest, pk: Id, request_pk: Id, payload: AnswerIn
) -> HostRequest:
    """Record a host's answer given by phone or in a conversation."""
    host_request = get_object_or_404(_case(request, pk).requests, pk=request_pk)
    return services.request_answer(
        request=host_request, actor=request.user, answer=payload.answer
    )


@router.post("/cases/{pk}/placements", response={201: PlacementOut}, auth=MEMBER)
def case_place(request: HttpRequest, pk: Id, payload: PlacementIn) -> Status:
    case = _case(request, pk)
    host_request = get_object_or_404(case.requests, pk=payload.request_id)
    placement = services.placement_record(
        case=case,
        actor=request.user,
        request=host_request,
        starts_on=payload.starts_on,
        expected_end_on=payload.expected_end_on,
        duress_answer=payload.duress_answer,
    )
    return Status(201, placement)


@router.post(
    "/cases/{pk}/placements/{placement_pk}/end", response=PlacementOut, auth=MEMBER
)
def case_placement_end(
    request: HttpRequest, pk: Id, placement_pk: Id, payload: EndIn
) -> object:
    """End a placement; with `rehouse`, the case searches again (previous hosts excluded)."""
    placement = get_object_or_404(_case(request, pk).placements, pk=placement_pk)
    return services.placement_end(
        placement=placement,
        actor=request.user,
        reason=payload.reason,
        rehouse=payload.rehouse,
    )


@router.post(
    "/cases/{pk}/placements/{placement_pk}/follow-ups",
    response={201: FollowUpOut},
    auth=MEMBER,
)
def case_follow_up(
    request: HttpRequest, pk: Id, placement_pk: Id, payload: FollowUpIn
) -> Status:
    placement = get_object_or_404(_case(request, pk).placements, pk=placement_pk)
    return Status(
        201,
        services.follow_up_schedule(
            placement=placement,
            actor=request.user,
            with_whom=payload.with_whom,
            due_at=payload.due_at,
        ),
    )


@router.post(
    "/cases/{pk}/follow-ups/{follow_up_pk}/check-in", response=FollowUpOut, auth=MEMBER
)
def case_check_in(
    request: HttpRequest, pk: Id, follow_up_pk: Id, payload: CheckInIn
) -> object:
    """Log a check-in (a duress answer raises an urgent alert to the referent)."""
    case = _case(request, pk)
    follow_up = get_object_or_404(
        follow_ups_visible_to(request.user).filter(placement__case=case),
        pk=follow_up_pk,
    )
    return services.check_in_log(
        follow_up=follow_up,
        actor=request.user,
        answer=payload.answer,
        note=payload.note,
    )


# ------------------------------------------------------------------ host side


@router.get("/host-requests", response=list[HostRequestOut], auth=MEMBER)
def host_request_list(request: HttpRequest) -> list:
    """Requests she received as a host."""
    return list(
        requests_for_host(request.user).select_related("case__association", "sent_by")
    )


@router.post("/host-requests/{pk}/answer", response=HostRequestOut, auth=MEMBER)
def host_request_answer(request: HttpRequest, pk: Id, payload: AnswerIn) -> HostRequest:
    host_request = get_object_or_404(requests_for_host(request.user), pk=pk)
    services.request_answer(
        request=host_request, actor=request.user, answer=payload.answer
    )
    return (
        requests_for_host(request.user)
        .select_related("case__association", "sent_by")
        .get(pk=pk)
    )


@router.get("/hostings", response=list[HostingOut], auth=MEMBER)
def hosting_list(request: HttpRequest) -> list:
    """Stays she hosts, with the association's referent (whom she can reach)."""
    return list(
        hostings_of(request.user).select_related("case__association", "case__referent")
    )


@router.post("/hostings/{pk}/check-in", response=Ok, auth=MEMBER)
def hosting_check_in(request: HttpRequest, pk: Id, payload: CheckInIn) -> dict:
    """Her check-in as a host. The reply is the same for every answer."""
    placement = get_object_or_404(hostings_of(request.user), pk=pk)
    services.check_in_log(
        placement=placement,
        actor=request.user,
        answer=payload.answer,
        note=payload.note,
    )
    return {"ok": True}
