"""Web pages: the applicant's live capture flow and the moderators' console."""

from allauth.core.exceptions import ReauthenticationRequired
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sorority.accounts.policies import is_member
from sorority.core.access import Access, access
from sorority.core.errors import ApplicationError
from sorority.verification import edge, gestures, selectors, services, statistics
from sorority.verification.forms import DecisionForm
from sorority.verification.models import (
    MAX_REVISIONS,
    EvidenceDocument,
    ReasonCode,
    VerificationChallenge,
)
from sorority.verification.policies import recently_authenticated
from sorority.verification.reasons import Step, appeal_address, next_step
from sorority.verification.timing import ServerTiming

SESSION_CHALLENGE = "verification_challenge"


@access(Access.SIGNED_IN)
def start(request: HttpRequest) -> HttpResponse:
    """Safety advice before anything is captured, then a button to draw a challenge."""
    if is_member(request.user):
        return redirect("core:home")
    return render(request, "verification/start.html", _status_context(request))


@access(Access.SIGNED_IN)
@require_POST
def challenge_new(request: HttpRequest) -> HttpResponse:
    try:
        item = services.challenge_create(
            user=request.user, session_key=request.session.session_key
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("verification:status")
    request.session[SESSION_CHALLENGE] = item.pk
    return redirect("verification:capture")


@access(Access.SIGNED_IN)
def capture(request: HttpRequest) -> HttpResponse:
    """The live capture page: challenge, three stills, the document, the declaration."""
    item = (
        VerificationChallenge.objects.filter(
            pk=request.session.get(SESSION_CHALLENGE, ""), user=request.user,
            used_at__isnull=True, expires_at__gt=timezone.now(),
        ).first()
    )
    if item is None:
        messages.info(request, _("Draw a new challenge to take your photos."))
        return redirect("verification:start")
    response = render(
        request,
        "verification/capture.html",
        {
            "challenge": item,
            "pose": gestures.pose_text(item.pose),
            "instruction": gestures.instruction(item.pose, item.code),
            "expires_in": int((item.expires_at - timezone.now()).total_seconds()),
        },
    )
    response.allow_camera = True
    return response


@access(Access.SIGNED_IN)
@require_POST
def submit(request: HttpRequest) -> JsonResponse:
    """Receive the captured photos (multipart, from the capture script)."""
    try:
        edge.upload_size_ok(request)
        services.submission_create(
            user=request.user,
            session_key=request.session.session_key,
            **edge.uploads_from(request),
        )
    except ApplicationError as exc:
        return JsonResponse(
            {"error": {"code": exc.code, "message": exc.message, "fields": exc.fields}},
            status=exc.status,
        )
    request.session.pop(SESSION_CHALLENGE, None)
    return JsonResponse(
        {"status": "pending", "redirect": reverse("verification:status")}, status=201
    )


def _status_context(request: HttpRequest) -> dict:
    status = selectors.verification_status(request.user)
    latest = selectors.verification_latest(request.user)
    code = status["reason"]
    if code is None and status["status"] == "none" and latest is not None:
        # A case closed without a decision (expired, withdrawn) still says why.
        code = latest.reason or None
    step = next_step(status["status"], code)
    return {
        "status": status["status"],
        "next": step,
        "reason_message": step.message if step else "",
        "receipts": status["receipts"],
        "latest": latest,
        "can_withdraw": latest is not None and latest.state in services.OPEN_STATES,
        "appeal_email": appeal_address() if step and step.step == Step.APPEAL else "",
        "attempts_left": (
            MAX_REVISIONS - latest.revision_count + 1
            if step and step.step == Step.RETAKE and latest is not None
            else None
        ),
        "inactive_days": getattr(settings, "INACTIVE_APPLICANT_DAYS", 90),
        **_wait_context(status),
    }


def _wait_context(status: dict) -> dict:
    """Her expected wait in words-ready numbers, and whether the queue is in surge."""
    hours = status.get("expected_wait_hours")
    if status["status"] != "pending":
        return {"wait": None}
    return {
        "wait": {
            "hours": hours,
            "whole_hours": max(1, round(hours)) if hours is not None else None,
            "days": max(2, round(hours / 24)) if hours is not None else None,
            "surge": statistics.surge_state().active,
        }
    }


def expected_wait_panel(request: HttpRequest) -> dict | None:
    """Her expected wait on `/me/status/` while her photos wait (`accounts.status_panels`)."""
    status = selectors.verification_status(request.user)
    if status["status"] != "pending":
        return None
    template = "verification/expected_wait_panel.html"
    return {"template": template, **_wait_context(status)}


def next_step_panel(request: HttpRequest) -> dict | None:
    """Her next step on `/me/status/` (registered with `accounts.status_panels`)."""
    context = _status_context(request)
    if context["next"] is None:
        return None
    return {"template": "verification/next_step.html", **context}


@access(Access.SIGNED_IN)
def status(request: HttpRequest) -> HttpResponse:
    """Her verification state and when her documents were deleted."""
    return render(request, "verification/status.html", _status_context(request))


@access(Access.SIGNED_IN)
@require_POST
def withdraw(request: HttpRequest) -> HttpResponse:
    try:
        services.verification_withdraw(user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your verification is withdrawn and your photos are destroyed."))
    return redirect("verification:status")


@access(Access.ASSOCIATION_STAFF)
def attestation(request: HttpRequest) -> HttpResponse:
    """Association staff: get a one-time code for a person the association vouches for."""
    code = None
    if request.method == "POST":
        try:
            code, _item = services.attestation_code_create(staff=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return render(request, "verification/attestation.html", {"code": code})


# --------------------------------------------------------------------------
# Moderators
# --------------------------------------------------------------------------


def _moderated_case(request: HttpRequest, case_id: object) -> object:
    return edge.case_for(request, str(case_id))


@access(Access.MODERATOR)
def moderation_queue(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    surge = statistics.surge_state(now)
    cases = [
        {
            "case": case,
            "waiting": now - (case.submitted_at or case.created_at),
            "mine": case.assignee_id == request.user.pk,
        }
        for case in selectors.verification_queue(request.user, surge=surge.active)
    ]
    return render(
        request, "verification/moderation_queue.html", {"cases": cases, "surge": surge}
    )


@access(Access.MODERATOR)
@require_POST
def moderation_recuse(request: HttpRequest, case_id: object) -> HttpResponse:
    """Say "I know this person": the case goes back to the queue, never to her again."""
    try:
        services.verification_recuse(
            case=_moderated_case(request, case_id), moderator=request.user
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Handed back: another moderator will review this person.")
        )
    return redirect("verification:moderation_queue")


@access(Access.MODERATOR)
def moderation_stats(request: HttpRequest) -> HttpResponse:
    """The queue measured, for moderators with the second factor (no personal data)."""
    days = request.GET.get("days", "7")
    if days not in ("7", "30"):
        return render(
            request, "400.html", {"message": _("Choose a window of 7 or 30 days.")}, status=400
        )
    data = statistics.queue_statistics(days=int(days))
    labels = dict(ReasonCode.choices)
    for row in data["refusals"]:
        row["label"] = labels.get(row["reason"], _("No reason given"))
    return render(
        request,
        "verification/moderation_stats.html",
        {"stats": data, "windows": statistics.WINDOWS},
    )


@access(Access.MODERATOR)
@require_POST
def moderation_claim(request: HttpRequest, case_id: object) -> HttpResponse:
    timing = ServerTiming()
    try:
        with timing.step("claim"):
            case = services.verification_claim(
                case=_moderated_case(request, case_id), moderator=request.user
            )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("verification:moderation_queue")
    return timing.apply(redirect("verification:moderation_detail", case_id=case.pk))


@access(Access.MODERATOR)
@require_POST
def moderation_next(request: HttpRequest) -> HttpResponse:
    """Claim the next waiting case (or reopen the one already in her hands)."""
    timing = ServerTiming()
    with timing.step("claim"):
        case = services.verification_claim_next(moderator=request.user)
    if case is None:
        messages.info(request, _("No verification is waiting for you."))
        return timing.apply(redirect("verification:moderation_queue"))
    return timing.apply(redirect("verification:moderation_detail", case_id=case.pk))


# Shown in French on the next page (the service returns state codes).
OUTCOMES = {
    "approved": gettext_lazy("approved: she is a member"),
    "rejected": gettext_lazy("refused"),
    "revision_requested": gettext_lazy("new photos asked for"),
    "senior_review": gettext_lazy("sent to a second moderator (possible match)"),
    "second_review": gettext_lazy("drawn for a second review by another moderator"),
}
WARNINGS = {
    "possible_match": gettext_lazy("possible match"),
    "watch_flag": gettext_lazy("watch flag"),
    "duplicate_upload": gettext_lazy("photo identical to another case"),
}
# What the service's field codes mean, beside the field.
FIELD_CODES = {
    "required": gettext_lazy("Needed to approve."),
    "not met": gettext_lazy("Tick it to approve, or choose another decision."),
    "invalid": gettext_lazy("This value is not valid."),
}


def _warning_text(code: str) -> str:
    if code.startswith("ban_list:"):
        return _("ban list")
    return str(WARNINGS.get(code, code))


def _console_context(case: object, detail: dict, form: DecisionForm) -> dict:
    labels = dict(EvidenceDocument.Kind.choices)
    order = list(EvidenceDocument.Kind.values)  # selfies 1-3, then front, then back
    documents = [
        (name, labels.get(name, name))
        for name in sorted(detail["documents"], key=lambda n: order.index(n) if n in order else 99)
    ]
    return {
        "case": case,
        "detail": detail,
        "form": form,
        "waiting": timezone.now() - (case.submitted_at or case.created_at),
        "selfies": [item for item in documents if item[0].startswith("selfie")],
        "papers": [item for item in documents if not item[0].startswith("selfie")],
        "checklist": [form[name] for name in services.CHECKLIST],
        "reasons": list(form["reason"]),
    }


def _render_console(
    request: HttpRequest, case: object, form: DecisionForm, timing: ServerTiming,
    status: int = 200,
) -> HttpResponse:
    with timing.step("detail"):
        detail = edge.case_detail(case, request.user)
    with timing.step("render"):
        response = render(
            request,
            "verification/moderation_detail.html",
            _console_context(case, detail, form),
            status=status,
        )
    return timing.apply(response)


@access(Access.MODERATOR)
def moderation_detail(request: HttpRequest, case_id: object) -> HttpResponse:
    """Stills and document side by side, full size with zoom, the challenge and the checklist."""
    case = _moderated_case(request, case_id)
    if not recently_authenticated(request):
        raise ReauthenticationRequired()
    try:
        return _render_console(request, case, DecisionForm(), ServerTiming())
    except ApplicationError as exc:
        return render(request, "403.html", {"message": exc.message}, status=exc.status)


@access(Access.MODERATOR)
def moderation_document(request: HttpRequest, case_id: object, name: str) -> HttpResponse:
    """One decrypted image for the assignee (audited, sandboxed, never cached)."""
    timing = ServerTiming()
    case = _moderated_case(request, case_id)
    if not recently_authenticated(request):
        return HttpResponse(status=403)
    try:
        with timing.step("document"):
            data = services.document_view(case=case, moderator=request.user, kind=name)
    except ApplicationError as exc:
        return HttpResponse(status=exc.status)
    return timing.apply(edge.document_response(data))


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _field_errors(fields: dict) -> dict[str, list[str]]:
    return {
        name: [str(FIELD_CODES.get(str(item), item)) for item in items]
        for name, items in fields.items()
    }


@access(Access.MODERATOR)
@require_POST
def moderation_decide(request: HttpRequest, case_id: object) -> HttpResponse:
    """Decide, then open the next waiting case (JSON for the console script, else HTML)."""
    timing = ServerTiming()
    case = _moderated_case(request, case_id)
    form = DecisionForm(request.POST)
    error: ApplicationError | None = None
    result = None
    if not form.is_valid():
        error = ApplicationError(
            _("Complete the checklist and the decision."),
            code="invalid",
            fields={name: [str(e) for e in errs] for name, errs in form.errors.items()},
        )
    else:
        data = form.cleaned_data
        try:
            with timing.step("decide"):
                result = services.verification_decide(
                    case=case,
                    moderator=request.user,
                    decision=data["decision"],
                    reason=data["reason"] or None,
                    checklist={item: bool(data[item]) for item in services.CHECKLIST},
                    family_name=data["family_name"],
                    given_names=data["given_names"],
                    birth_date=data["birth_date"],
                    ban_category=data["ban_category"] or None,
                )
        except ApplicationError as exc:
            error = exc
    if error is not None:
        fields = _field_errors(error.fields)
        if _wants_json(request):
            return timing.apply(JsonResponse(
                {"error": {"code": error.code, "message": error.message, "fields": fields}},
                status=error.status,
            ))
        if error.status == 400:
            for name, items in fields.items():
                for item in items:
                    form.add_error(name if name in form.fields else None, item)
            try:
                return _render_console(request, case, form, timing, status=400)
            except ApplicationError:
                pass
        messages.error(request, error.message)
        return redirect("verification:moderation_queue")
    text = _("Decision saved: %(outcome)s.") % {
        "outcome": OUTCOMES.get(result.outcome, result.outcome)
    }
    if result.warnings:
        text += " " + _("Warnings: %(warnings)s.") % {
            "warnings": ", ".join(_warning_text(code) for code in result.warnings)
        }
    next_url = reverse("verification:moderation_queue")
    if not form.cleaned_data["then_queue"]:
        with timing.step("claim"):
            following = services.verification_claim_next(moderator=request.user)
        if following is not None:
            next_url = reverse("verification:moderation_detail", args=[following.pk])
        else:
            text += " " + _("No verification is waiting.")
    (messages.warning if result.warnings else messages.success)(request, text)
    if _wants_json(request):
        return timing.apply(JsonResponse({"outcome": result.outcome, "next": next_url}))
    return timing.apply(redirect(next_url))
