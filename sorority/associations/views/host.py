"""The host's side: requests received, stays hosted, check-ins."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from sorority.associations import services
from sorority.associations.forms import (
    AnswerForm,
    CheckInForm,
)
from sorority.associations.integrations import chat_path
from sorority.associations.policies import (
    hostings_of,
    placement_for_guest_key,
    requests_for_host,
)
from sorority.associations.views.common import _run
from sorority.core.access import Access, access
from sorority.core.errors import ApplicationError, NotFound

# ------------------------------------------------------------------ host side


@access(Access.MEMBER)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A request received as a host: what is asked, who asks, and her answer."""
    host_request = get_object_or_404(
        requests_for_host(request.user).select_related("case__association", "sent_by"),
        pk=pk,
    )
    form = AnswerForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(
            request,
            lambda: services.request_answer(
                request=host_request,
                actor=request.user,
                answer=form.cleaned_data["answer"],
            ),
            _("Thank you, your answer was sent."),
        )
    ):
        return redirect("associations:request_detail", pk=pk)
    return render(
        request,
        "associations/request_detail.html",
        {
            "req": host_request,
            "association": host_request.case.association,
            "chat": chat_path(host_request.sent_by_id)
            if host_request.sent_by_id
            else None,
        },
    )


@access(Access.MEMBER)
def hosting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A stay she hosts: the association's referent, how to reach her, the check-in."""
    placement = get_object_or_404(
        hostings_of(request.user).select_related("case__association", "case__referent"),
        pk=pk,
    )
    form = CheckInForm(request.POST or None)
    # Every answer gets the same thank-you: a duress answer must look normal.
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(
            request,
            lambda: services.check_in_log(
                placement=placement, actor=request.user, **form.cleaned_data
            ),
            _("Thank you, your check-in was sent."),
        )
    ):
        return redirect("associations:hosting_detail", pk=pk)
    referent = placement.case.referent
    return render(
        request,
        "associations/hosting_detail.html",
        {
            "placement": placement,
            "association": placement.case.association,
            "referent": referent,
            "chat": chat_path(referent.pk) if referent else None,
            "form": form,
        },
    )


@access(Access.PUBLIC)
def guest_check_in(request: HttpRequest, key: str) -> HttpResponse:
    """The sheltered person's own check-in, from the private link the staff gave her.

    Neutral on purpose (no names, no association): every answer gets the same
    thank-you, so a duress answer given under watch looks normal.
    """
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.guest_check_in(key=key, **form.cleaned_data)
        except NotFound as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            return render(request, "associations/guest_check_in.html", {"done": True})
    elif placement_for_guest_key(key) is None:
        raise Http404
    return render(request, "associations/guest_check_in.html", {"form": form})
