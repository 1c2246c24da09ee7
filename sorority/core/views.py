"""Public pages, the member home, the quick exit and the health probes."""

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from sorority.accounts.policies import is_member
from sorority.core.access import Access, access
from sorority.core.homepage import landing_sections
from sorority.core.navigation import nav_for


@access(Access.PUBLIC)
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "core/landing.html", {"sections": landing_sections()})


@access(Access.PUBLIC)
def before_signup(request: HttpRequest) -> HttpResponse:
    """Safety advice shown before any data is entered (docs/security.md §37)."""
    return render(request, "core/before_signup.html")


@access(Access.SIGNED_IN)
def home(request: HttpRequest) -> HttpResponse:
    if not is_member(request.user):
        return redirect("accounts:status")
    return render(
        request,
        "core/home.html",
        {"sections": landing_sections(member=True), "actions": home_actions(request)},
    )


def home_actions(request: HttpRequest) -> list[dict]:
    """The big buttons of the member home: what she may open, in navigation order."""
    return nav_for(request)


@access(Access.PUBLIC)
@require_POST
def quick_exit(request: HttpRequest) -> HttpResponse:
    """End the session at once and tell the browser to forget this site (docs/security.md §36).

    Reached by `navigator.sendBeacon` from any page. CSRF protection stays on: the
    page sends its token. A forged request could only sign someone out, which the
    person can always do herself.
    """
    logout(request)
    request.session.flush()
    response = HttpResponse(status=204)
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@access(Access.PUBLIC)
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "core/offline.html")


@access(Access.PUBLIC)
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers (no database, no other service)."""
    return _probe({"status": "ok", "checks": {}}, 200)


@access(Access.PUBLIC)
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to serve: every check of `sorority.core.health.readiness` is "ok"."""
    from sorority.core import health

    checks = health.readiness()
    ready = all(value == health.OK for value in checks.values())
    return _probe(
        {"status": "ok" if ready else "fail", "checks": checks}, 200 if ready else 503
    )


def _probe(data: dict, status: int) -> JsonResponse:
    response = JsonResponse(data, status=status)
    response["Cache-Control"] = "no-store"
    return response
