"""Case pages: needs, safety check, outreach, placement, follow-ups.

They use the MEMBER rule and then `cases_visible_to`: anyone who is not current
staff of the case's association (a plain member, a moderator, a former or foreign
staff member) gets the same 404 as for a case that does not exist.
"""

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from sorority.accounts.models import User
from sorority.associations import selectors, services
from sorority.associations.forms import (
    ANIMAL_LABELS,
    CHECK_IN_LABELS,
    SUPPORT_KIND_LABELS,
    AnswerForm,
    CaseForm,
    CheckInForm,
    EndForm,
    FollowUpForm,
    NotesForm,
    OutreachForm,
    PlacementForm,
    ReferentForm,
    SafetyForm,
    StatusForm,
)
from sorority.associations.integrations import chat_path
from sorority.associations.models import (
    Case,
    CaseEvent,
    FollowUp,
    HostRequest,
)
from sorority.associations.policies import (
    associations_staffed_by,
    follow_ups_visible_to,
)
from sorority.associations.views.common import _commune_name, _run
from sorority.core.access import Access, access
from sorority.core.errors import ApplicationError

# ---------------------------------------------------------------------- cases


def _event_detail(event: CaseEvent) -> str:
    """A short human detail of a timeline row, from its ids and choice values."""
    data = event.data or {}
    statuses = dict(Case.Status.choices)
    if event.kind == CaseEvent.Kind.STATUS_CHANGED:
        return f"{statuses.get(data.get('previous'), '')} → {statuses.get(data.get('status'), '')}"
    if event.kind == CaseEvent.Kind.HOST_ANSWERED:
        return str(dict(HostRequest.Status.choices).get(data.get("answer"), ""))
    if event.kind in (CaseEvent.Kind.OUTREACH_SENT, CaseEvent.Kind.OTHERS_RELEASED):
        count = len(data.get("hosts", []))
        return ngettext("%(n)d host", "%(n)d hosts", count) % {"n": count}
    if event.kind == CaseEvent.Kind.SAFETY_CHECKED:
        return (
            _("followed or threatened")
            if data.get("threatened")
            else _("not threatened")
        )
    detail = str(dict(FollowUp.With.choices).get(data.get("with_whom"), ""))
    if event.kind == CaseEvent.Kind.CHECK_IN_LOGGED:
        outcome = dict(FollowUp.Outcome.choices).get(data.get("outcome"), "")
        detail = f"{detail} — {outcome}"
    return detail


@access(Access.MEMBER)
def case_list(request: HttpRequest) -> HttpResponse:
    associations = list(associations_staffed_by(request.user))
    if not associations:
        raise Http404
    status = request.GET.get("status", "")
    return render(
        request,
        "associations/case_list.html",
        {
            "cases": selectors.case_list(user=request.user, status=status),
            "status": status,
            "associations": associations,
        },
    )


def _needs(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in ("label", "notes")}


@access(Access.MEMBER)
def case_new(request: HttpRequest) -> HttpResponse:
    associations = list(associations_staffed_by(request.user))
    if not associations:
        raise Http404
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        chosen = request.POST.get("association") or associations[0].pk
        association = next((a for a in associations if str(a.pk) == str(chosen)), None)
        if association is None:
            raise Http404
        data = form.cleaned_data
        try:
            case = services.case_open(
                association=association,
                actor=request.user,
                label=data["label"],
                notes=data["notes"],
                **_needs(data),
            )
        except ApplicationError as exc:
            for field, errors in (exc.fields or {"": [exc.message]}).items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            return redirect("associations:case_detail", pk=case.pk)
    return render(
        request,
        "associations/case_form.html",
        {"form": form, "associations": associations},
    )


@access(Access.MEMBER)
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    initial = {
        "label": case.label,
        "need": case.need,
        "support_kinds": case.support_kinds,
        "adults": case.adults,
        "children_ages": ", ".join(map(str, case.children_ages)),
        "animals": case.animals,
        "nights": case.nights,
        "step_free": case.step_free,
        "target_commune": case.target_commune,
        "avoid_commune": case.avoid_commune,
        "avoid_radius_km": case.avoid_radius_km,
        "notes": case.notes,
    }
    form = CaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _run(
            request,
            lambda: services.case_update_needs(
                case=case, actor=request.user, label=data["label"], **_needs(data)
            ),
            _("Saved."),
        ):
            return redirect("associations:case_detail", pk=pk)
    return render(request, "associations/case_form.html", {"form": form, "case": case})


@access(Access.MEMBER)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    placement = selectors.active_placement(case)
    previous_hosts = {p.host_id for p in case.placements.all()}
    accepted = [
        r
        for r in case.requests.all()
        if r.status == HostRequest.Status.ACCEPTED and r.host_id not in previous_hosts
    ]
    return render(
        request,
        "associations/case_detail.html",
        {
            "case": case,
            "target_name": _commune_name(case.target_commune),
            "avoid_name": _commune_name(case.avoid_commune),
            "placement": placement,
            "accepted": accepted,
            "staff": selectors.staff_of(case.association),
            "safety_form": SafetyForm(),
            "notes_form": NotesForm(initial={"notes": case.notes}),
            "placement_form": PlacementForm(),
            "follow_up_form": FollowUpForm(),
            "check_in_form": CheckInForm(),
            "end_form": EndForm(),
            "check_in_labels": CHECK_IN_LABELS,
            "timeline": [(event, _event_detail(event)) for event in case.events.all()],
            "guest_link": request.build_absolute_uri(
                reverse("associations:guest_check_in", args=[placement.guest_key])
            )
            if placement and placement.guest_key
            else "",
            "support_kinds": [str(SUPPORT_KIND_LABELS[k]) for k in case.support_kinds],
            "animals": [str(ANIMAL_LABELS[a]) for a in case.animals],
            "host_chat": chat_path(placement.host_id)
            if placement and placement.host_id
            else None,
        },
    )


def _case_post(view: Callable) -> Callable:
    """POST-only case action: load the case through the policy, then back to its page."""

    @access(Access.MEMBER)
    @require_POST
    def wrapper(request: HttpRequest, pk: int, **kwargs: object) -> HttpResponse:
        case = selectors.case_get(user=request.user, pk=pk)
        view(request, case, **kwargs)
        return redirect("associations:case_detail", pk=pk)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@_case_post
def case_safety(request: HttpRequest, case: object) -> None:
    form = SafetyForm(request.POST)
    if form.is_valid():
        threatened = form.cleaned_data["threatened"]
        _run(
            request,
            lambda: services.case_record_safety_check(
                case=case, actor=request.user, threatened=threatened
            ),
        )
        if threatened:
            messages.error(
                request,
                _("Call 17 now (or send an SMS to 114). Never put a host in danger."),
            )
    else:
        messages.error(request, _("Answer the safety question."))


@_case_post
def case_notes(request: HttpRequest, case: object) -> None:
    form = NotesForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.case_set_notes(
                case=case, actor=request.user, notes=form.cleaned_data["notes"]
            ),
            _("Saved."),
        )


@_case_post
def case_status(request: HttpRequest, case: object) -> None:
    form = StatusForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.case_set_status(
                case=case, actor=request.user, status=form.cleaned_data["status"]
            ),
            _("Saved."),
        )


@_case_post
def case_referent(request: HttpRequest, case: object) -> None:
    form = ReferentForm(request.POST)
    if form.is_valid():
        pk = form.cleaned_data["referent"]
        referent = User.objects.filter(pk=pk).first() if pk else None
        _run(
            request,
            lambda: services.case_assign_referent(
                case=case, actor=request.user, referent=referent
            ),
            _("Saved."),
        )


@access(Access.MEMBER)
def case_outreach(request: HttpRequest, pk: int) -> HttpResponse:
    """Hosts around the target area, filtered by her needs; contact up to ten at once."""
    case = selectors.case_get(user=request.user, pk=pk)
    try:
        candidates = selectors.host_candidates(user=request.user, case=case, limit=30)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        candidates = []
    choices = [(c.member_id, c.display_name) for c in candidates]
    form = OutreachForm(request.POST or None, host_choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _run(
            request,
            lambda: services.outreach_send(
                case=case,
                actor=request.user,
                host_ids=data["host_ids"],
                message=data["message"],
            ),
            _("Your request was sent."),
        ):
            return redirect("associations:case_detail", pk=pk)
    return render(
        request,
        "associations/case_outreach.html",
        {
            "case": case,
            "candidates": candidates,
            "form": form,
            "target_name": _commune_name(case.target_commune),
            "preview": services.request_text(case, request.user),
        },
    )


@_case_post
def request_record(request: HttpRequest, case: object, request_pk: int) -> None:
    """Record a host's answer given by phone or in the conversation."""
    host_request = get_object_or_404(case.requests, pk=request_pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.request_answer(
                request=host_request,
                actor=request.user,
                answer=form.cleaned_data["answer"],
            ),
            _("Answer recorded."),
        )


@_case_post
def case_place(request: HttpRequest, case: object) -> None:
    form = PlacementForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the dates of the placement."))
        return
    data = form.cleaned_data
    host_request = get_object_or_404(case.requests, pk=data["request"])
    _run(
        request,
        lambda: services.placement_record(
            case=case,
            actor=request.user,
            request=host_request,
            starts_on=data["starts_on"],
            expected_end_on=data["expected_end_on"],
            duress_answer=data["duress_answer"],
        ),
        _("Placement recorded."),
    )


@_case_post
def follow_up_new(request: HttpRequest, case: object, placement_pk: int) -> None:
    placement = get_object_or_404(case.placements, pk=placement_pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.follow_up_schedule(
                placement=placement, actor=request.user, **form.cleaned_data
            ),
            _("Scheduled."),
        )
    else:
        messages.error(request, _("Give a date and a time."))


@_case_post
def check_in(request: HttpRequest, case: object, follow_up_pk: int) -> None:
    follow_up = get_object_or_404(
        follow_ups_visible_to(request.user).filter(placement__case=case),
        pk=follow_up_pk,
    )
    form = CheckInForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.check_in_log(
                follow_up=follow_up, actor=request.user, **form.cleaned_data
            ),
            _("Check-in logged."),
        )
    else:
        messages.error(request, _("Choose an answer."))


@_case_post
def placement_end(request: HttpRequest, case: object, placement_pk: int) -> None:
    placement = get_object_or_404(case.placements, pk=placement_pk)
    form = EndForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.placement_end(
                placement=placement, actor=request.user, **form.cleaned_data
            ),
            _("Placement ended."),
        )
