"""A person's own pages: verification status, second factor, settings."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from sorority.accounts.forms import AccountSettingsForm, EnrolmentCodeForm
from sorority.accounts.policies import (
    has_second_factor,
    holds_moderator_role,
    is_member,
    is_privileged,
    may_add_second_factor,
)
from sorority.accounts.services import enrolment_code_redeem, user_update_settings
from sorority.accounts.status_panels import panels_for
from sorority.core.access import Access, access
from sorority.core.errors import ApplicationError


def _optional_url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@access(Access.SIGNED_IN)
def status(request: HttpRequest) -> HttpResponse:
    """Where an applicant stands; the only page besides safety and her account."""
    if is_member(request.user):
        return redirect("core:home")
    return render(
        request,
        "accounts/status.html",
        {
            "verification_url": _optional_url("verification:start"),
            "panels": panels_for(request),
        },
    )


@access(Access.SIGNED_IN)
def second_factor(request: HttpRequest) -> HttpResponse:
    """Tell a moderator to sign in again with (or to enrol) a second factor.

    A moderator without a factor enters here the enrolment code an operator gave her;
    this session may then add one (docs/security.md, "Moderator powers").
    """
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment_code_redeem(
                user=request.user,
                code=form.cleaned_data["code"],
                session_key=request.session.session_key,
            )
        except ApplicationError as exc:
            form.add_error("code", exc.message)
        else:
            messages.success(request, _("Code accepted: you may now add a second factor."))
            return redirect("mfa_index")
    privileged = is_privileged(request.user)
    return render(
        request,
        "accounts/second_factor.html",
        {
            "is_moderator": holds_moderator_role(request.user),
            "enrolled": has_second_factor(request.user),
            "may_enrol": may_add_second_factor(request.user, request.session),
            "privileged": privileged,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@access(Access.SIGNED_IN)
def settings_page(request: HttpRequest) -> HttpResponse:
    form = AccountSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_update_settings(
            user=request.user,
            display_name=form.cleaned_data["display_name"],
            discreet_mode=form.cleaned_data["discreet_mode"],
            exit_url=form.cleaned_data["exit_url"],
        )
        messages.success(request, _("Your settings are saved."))
        return redirect("accounts:settings")
    request.user.refresh_from_db()
    return render(request, "accounts/settings.html", {"form": form})
