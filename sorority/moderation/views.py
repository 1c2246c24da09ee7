"""Report pages (members) and the moderators' report queue."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from sorority.core.access import Access, access
from sorority.core.errors import ApplicationError
from sorority.moderation import services
from sorority.moderation.forms import ActionForm, BanDecisionForm, ReportForm
from sorority.moderation.models import BanProposal, ModerationEvent, Report
from sorority.moderation.policies import (
    ban_proposals_visible_to,
    can_act_on_report,
    can_decide_ban,
    reports_visible_to,
)


@access(Access.MEMBER)
def report_new(request: HttpRequest) -> HttpResponse:
    """Report a member (`?member_id=`) or a message (`?message_id=`)."""
    target = {
        "member_id": request.GET.get("member_id") or None,
        "message_id": request.GET.get("message_id") or None,
    }
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_create(reporter=request.user, **target, **form.cleaned_data)
        except ApplicationError as exc:
            if exc.status == 404:
                return render(request, "404.html", status=404)
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Thank you. The moderators will look at your report.")
            )
            return redirect("chat:list")
    return render(request, "moderation/report_new.html", {"form": form, **target})


@access(Access.MODERATOR)
def reports(request: HttpRequest) -> HttpResponse:
    visible = reports_visible_to(request.user).select_related("reported", "reporter")
    return render(
        request,
        "moderation/report_list.html",
        {
            "open_reports": visible.filter(status=Report.Status.OPEN)[:200],
            "closed_reports": visible.exclude(status=Report.Status.OPEN).order_by(
                "-closed_at"
            )[:50],
            "proposals": ban_proposals_visible_to(request.user)
            .filter(status=BanProposal.Status.PROPOSED)
            .select_related("target", "proposed_by"),
        },
    )


@access(Access.MODERATOR)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(
        reports_visible_to(request.user).select_related("reported", "reporter"), pk=pk
    )
    form = ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _act(request.user, report.pk, data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Done."))
            return redirect("moderation:reports")
    return render(
        request,
        "moderation/report_detail.html",
        {
            "report": report,
            "form": form,
            "can_act": can_act_on_report(request.user, report),
            "events": ModerationEvent.objects.filter(report=report).select_related(
                "actor"
            ),
        },
    )


def _act(moderator: object, report_id: int, data: dict) -> None:
    action, note = data["action"], data.get("note") or ""
    if action == "dismiss":
        services.report_dismiss(moderator=moderator, report_id=report_id, note=note)
    elif action == "warn":
        services.report_warn(moderator=moderator, report_id=report_id, note=note)
    elif action == "suspend":
        services.report_suspend(
            moderator=moderator,
            report_id=report_id,
            days=data.get("days") or 7,
            note=note,
        )
    else:
        services.ban_propose(moderator=moderator, report_id=report_id, note=note)


@access(Access.MODERATOR)
def ban_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(
        ban_proposals_visible_to(request.user).select_related(
            "target", "proposed_by", "report"
        ),
        pk=pk,
    )
    form = BanDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                services.ban_approve(
                    moderator=request.user,
                    proposal_id=proposal.pk,
                    identity=form.identity(),
                )
            else:
                services.ban_reject(moderator=request.user, proposal_id=proposal.pk)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Done."))
            return redirect("moderation:reports")
    return render(
        request,
        "moderation/ban_detail.html",
        {
            "proposal": proposal,
            "form": form,
            "can_decide": can_decide_ban(request.user, proposal),
        },
    )
