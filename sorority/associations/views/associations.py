"""Pages of associations and their staff, and the moderator review."""

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sorority.associations import selectors, services
from sorority.associations.forms import (
    AssociationForm,
    DecisionForm,
    InviteForm,
)
from sorority.associations.models import (
    Association,
    HostRequest,
    Membership,
)
from sorority.associations.policies import (
    associations_staffed_by,
    associations_visible_to,
    can_manage_staff,
    hostings_of,
    requests_for_host,
)
from sorority.associations.views.common import _run
from sorority.core.access import Access, access
from sorority.core.errors import ApplicationError


@access(Access.MEMBER)
def home(request: HttpRequest) -> HttpResponse:
    """Her associations, invitations, requests received as a host and stays she hosts."""
    user = request.user
    return render(
        request,
        "associations/home.html",
        {
            "associations": associations_visible_to(user).order_by("name"),
            "invitations": Membership.objects.filter(
                user=user,
                status=Membership.Status.INVITED,
                association__status=Association.Status.APPROVED,
            ).select_related("association"),
            "requests": requests_for_host(user)
            .filter(status=HostRequest.Status.WAITING)
            .select_related("case__association"),
            "hostings": hostings_of(user)
            .filter(ended_at__isnull=True)
            .select_related("case__association", "case__referent"),
        },
    )


@access(Access.MEMBER)
def register(request: HttpRequest) -> HttpResponse:
    form = AssociationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            association = services.association_register(
                representative=request.user, **form.cleaned_data
            )
        except ApplicationError as exc:
            for field, errors in exc.fields.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Your association is registered. A moderator will review it."),
            )
            return redirect("associations:detail", pk=association.pk)
    return render(request, "associations/association_register.html", {"form": form})


@access(Access.MEMBER)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    association = get_object_or_404(associations_visible_to(request.user), pk=pk)
    return render(
        request,
        "associations/association_detail.html",
        {
            "association": association,
            "memberships": selectors.staff_seen_by_association(association),
            "invitations": selectors.invitations_seen_by_association(association),
            "can_manage": can_manage_staff(request.user, association),
            "is_staff": association in associations_staffed_by(request.user),
            "invite_form": InviteForm(),
            "events": association.events.select_related("actor"),
        },
    )


@access(Access.MEMBER)
@require_POST
def staff_invite(request: HttpRequest, pk: int) -> HttpResponse:
    association = get_object_or_404(associations_visible_to(request.user), pk=pk)
    form = InviteForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.staff_invite(
                association=association,
                actor=request.user,
                reference=form.cleaned_data["member"],
            ),
            # The same words for every address: member or not, nobody is told.
            _(
                "Invitation recorded. If this address belongs to a verified member "
                "who can join, she will find it in her account."
            ),
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("associations:detail", pk=pk)


@access(Access.MEMBER)
@require_POST
def staff_invitation_withdraw(
    request: HttpRequest, pk: int, invitation_pk: int
) -> HttpResponse:
    association = get_object_or_404(associations_visible_to(request.user), pk=pk)
    invitation = get_object_or_404(association.invitations, pk=invitation_pk)
    _run(
        request,
        lambda: services.staff_invitation_withdraw(
            invitation=invitation, actor=request.user
        ),
        _("Invitation withdrawn."),
    )
    return redirect("associations:detail", pk=pk)


@access(Access.MEMBER)
@require_POST
def staff_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    association = get_object_or_404(associations_visible_to(request.user), pk=pk)
    membership = get_object_or_404(association.memberships, pk=membership_pk)
    _run(
        request,
        lambda: services.staff_remove(membership=membership, actor=request.user),
        _("Removed from the staff."),
    )
    if membership.user_id == request.user.pk:
        return redirect("associations:home")
    return redirect("associations:detail", pk=pk)


@access(Access.MEMBER)
@require_POST
def invitation_answer(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.filter(user=request.user, status=Membership.Status.INVITED),
        pk=pk,
    )
    if request.POST.get("answer") == "accept":
        _run(
            request,
            lambda: services.staff_accept(membership=membership, user=request.user),
            _("You joined the staff."),
        )
    else:
        _run(
            request,
            lambda: services.staff_decline(membership=membership, user=request.user),
        )
    return redirect("associations:home")


@access(Access.MEMBER)
def export(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the association's data (its cases in full) as JSON, for its staff."""
    association = get_object_or_404(associations_staffed_by(request.user), pk=pk)
    response = HttpResponse(
        json.dumps(
            selectors.association_export(association), ensure_ascii=False, indent=2
        ),
        content_type="application/json",
    )
    response["Content-Disposition"] = f'attachment; filename="association-{pk}.json"'
    return response


@access(Access.MODERATOR)
def review_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "associations/review_list.html",
        {
            "pending": Association.objects.filter(
                status=Association.Status.PENDING
            ).select_related("representative"),
            "decided": Association.objects.exclude(
                status=Association.Status.PENDING
            ).order_by("-decided_at")[:20],
        },
    )


@access(Access.MODERATOR)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    association = get_object_or_404(
        Association.objects.select_related("representative"), pk=pk
    )
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["decision"] == "approve":
            action = lambda: services.association_approve(  # noqa: E731
                association=association, actor=request.user
            )
        else:
            action = lambda: services.association_refuse(  # noqa: E731
                association=association,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        if _run(request, action, _("Decision recorded.")):
            return redirect("associations:review_list")
    return render(
        request,
        "associations/review.html",
        {
            "association": association,
            "form": form,
            "events": association.events.select_related("actor"),
        },
    )
