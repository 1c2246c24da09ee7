"""Pages of the privacy app: export, erasure, discreet mode, sessions, flags, notices."""

import hashlib
import json

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import logout
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sorority.core.access import Access, access
from sorority.core.errors import ApplicationError
from sorority.privacy import selectors, services
from sorority.privacy.forms import AbuserFlagForm, EraseForm
from sorority.privacy.policies import abuser_flags_enabled

CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


@access(Access.SIGNED_IN)
def index(request: HttpRequest) -> HttpResponse:
    """Her privacy hub: export, erasure, discreet mode, sessions, flags, notices."""
    return render(request, "privacy/index.html", _hub_context(request))


def _hub_context(request: HttpRequest) -> dict:
    from sorority.accounts.policies import is_member

    return {
        "flags_enabled": abuser_flags_enabled() and is_member(request.user),
    }


@access(Access.SIGNED_IN)
@require_GET
def export_page(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/export.html")


@access(Access.SIGNED_IN)
@require_GET
def export_download(request: HttpRequest) -> HttpResponse:
    """Her data as a JSON file (the same document as `GET /api/v1/me/export`)."""
    document = selectors.export_build(user=request.user)
    response = HttpResponse(
        json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y%m%d")
    # A neutral file name: a download folder can be seen by someone else.
    response["Content-Disposition"] = f'attachment; filename="data-{stamp}.json"'
    return response


@access(Access.SIGNED_IN)
@require_GET
def export_view(request: HttpRequest) -> HttpResponse:
    """Her data as a readable page, app by app."""
    document = selectors.export_build(user=request.user)
    # Through JSON and back: every value becomes a plain str/number/list/dict.
    plain = json.loads(json.dumps(document, cls=DjangoJSONEncoder))
    return render(request, "privacy/export_view.html", {"document": plain})


@access(Access.SIGNED_IN)
def erase_page(request: HttpRequest) -> HttpResponse:
    """Delete her account after she re-enters her password."""
    has_flags = selectors.flags_of(user=request.user).exists()
    form = EraseForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not ratelimit.consume(request, action="reauthenticate", user=request.user):
            form.add_error(None, _("Too many attempts. Please wait a minute."))
        elif form.is_valid():
            services.account_erase(
                user=request.user,
                keep_flags=has_flags and form.cleaned_data["keep_flags"],
            )
            logout(request)
            response = render(request, "privacy/erased.html")
            response["Clear-Site-Data"] = CLEAR_SITE_DATA
            return response
    return render(request, "privacy/erase.html", {"form": form, "has_flags": has_flags})


@access(Access.SIGNED_IN)
@require_POST
def discreet_toggle(request: HttpRequest) -> HttpResponse:
    """One tap: discreet mode on or off, then back where she was."""
    user = services.discreet_toggle(user=request.user)
    if user.discreet_mode:
        messages.success(request, _("Discreet mode is on."))
    else:
        messages.success(request, _("Discreet mode is off."))
    target = request.POST.get("next") or reverse("privacy:index")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("privacy:index")
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


@access(Access.SIGNED_IN)
def sessions_page(request: HttpRequest) -> HttpResponse:
    """Her signed-in devices, with "sign out everywhere"."""
    from allauth.usersessions.internal.flows.sessions import (
        end_other_sessions,
        end_sessions,
    )

    if request.method == "POST":
        scope = request.POST.get("scope")
        if scope == "others":
            end_other_sessions(request, request.user)
            messages.success(request, _("Your other devices have been signed out."))
            return redirect("privacy:sessions")
        if scope == "all":
            from allauth.usersessions.models import UserSession

            end_sessions(request, list(UserSession.objects.filter(user=request.user)))
            logout(request)
            response = redirect("account_login")
            response["Clear-Site-Data"] = CLEAR_SITE_DATA
            return response
        return render(request, "400.html", status=400)
    sessions = selectors.sessions_of(user=request.user)
    current = request.session.session_key
    return render(
        request,
        "privacy/sessions.html",
        {"sessions": sessions, "current_key": current},
    )


@access(Access.MEMBER)
def flags_page(request: HttpRequest) -> HttpResponse:
    """File an abuser flag and see her flags (dates only). 404 while switched off."""
    if not abuser_flags_enabled():
        raise Http404
    form = AbuserFlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.abuser_flag_create(member=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your flag is recorded."))
            return redirect("privacy:flags")
    flags = selectors.flags_of(user=request.user)
    return render(
        request,
        "privacy/flags.html",
        {"form": form, "flags": flags, "max_flags": services.MAX_ACTIVE_FLAGS},
    )


@access(Access.MEMBER)
@require_POST
def flag_withdraw(request: HttpRequest, flag_id: int) -> HttpResponse:
    if not abuser_flags_enabled():
        raise Http404
    try:
        services.abuser_flag_withdraw(member=request.user, flag_id=flag_id)
    except ApplicationError as exc:
        raise Http404 from exc
    messages.success(request, _("Your flag is withdrawn."))
    return redirect("privacy:flags")


@access(Access.PUBLIC)
@require_GET
def notice(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/notice.html", _retention_context())


@access(Access.PUBLIC)
@require_GET
def terms(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/terms.html", _retention_context())


def _retention_context() -> dict:
    from email.utils import parseaddr

    from django.conf import settings

    contact = (
        getattr(settings, "PRIVACY_CONTACT_EMAIL", "")
        or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    )
    return {
        "inactive_days": getattr(settings, "INACTIVE_APPLICANT_DAYS", 90),
        "flags_enabled": abuser_flags_enabled(),
        "contact_email": contact,
    }


# ---------------------------------------------------------------------------
# Installed web app (docs/security.md §38)
# ---------------------------------------------------------------------------
def _discreet(request: HttpRequest) -> bool:
    from sorority.core.neutral import is_discreet

    return is_discreet(request)


@access(Access.PUBLIC)
@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web-app manifest; neutral name and icon for a person in discreet mode."""
    discreet = _discreet(request)
    icon = static("img/icon-neutral.svg" if discreet else "img/icon.svg")
    data = {
        "id": "/",
        "name": _("Notes") if discreet else "Sorority",
        "short_name": _("Notes") if discreet else "Sorority",
        "description": _("Notes") if discreet else _("Mutual aid between women"),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#4a5568" if discreet else "#6b2c91",
        "icons": [
            {"src": icon, "sizes": "any", "type": "image/svg+xml", "purpose": "any"}
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json")


# Static files the service worker keeps for offline use: never a personal page.
OFFLINE_ASSETS = (
    "css/site.css",
    "js/quick-exit.js",
    "django_htmx/htmx-2.min.js",
    "img/icon.svg",
    "img/icon-neutral.svg",
    "privacy/register-sw.js",
)


@access(Access.PUBLIC)
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker: caches static assets and the offline page, nothing else.

    Rendered per person so that switching discreet mode changes its bytes, which
    makes the browser install a fresh copy with a neutral offline page.
    """
    discreet = _discreet(request)
    assets = [static(path) for path in OFFLINE_ASSETS]
    digest = hashlib.sha256("|".join(assets).encode()).hexdigest()[:12]
    version = f"v1-{'d' if discreet else 'n'}-{digest}"
    response = render(
        request,
        "privacy/sw.js",
        {
            "assets_json": json.dumps(assets),
            "offline_url_json": json.dumps(reverse("core:offline")),
            "static_prefix_json": json.dumps(static("")),
            "cache_name_json": json.dumps(f"static-{version}"),
            # The offline page is fetched with her cookie only in discreet mode, so
            # that its title is neutral; otherwise anonymously.
            "credentials_json": json.dumps("same-origin" if discreet else "omit"),
        },
        content_type="application/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    return response
