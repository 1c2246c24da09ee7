"""Default deny for every view, and the privacy headers of every response."""

import functools
import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render, resolve_url
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from sorority.core.access import Access, Denial, rule_for

logger = logging.getLogger(__name__)

_MESSAGES = {
    Denial.NOT_AUTHENTICATED: _("Sign in to continue."),
    Denial.VERIFICATION_REQUIRED: _("Your account must be verified first."),
    Denial.SECOND_FACTOR_REQUIRED: _("Sign in with a second factor to continue."),
    Denial.ENROLMENT_STEP_REQUIRED: _(
        "To add a second factor to a moderator account, sign in again with a factor "
        "you already have, or enter the enrolment code an operator gave you."
    ),
    Denial.FORBIDDEN: _("You may not do this."),
    Denial.BANNED: _("This account is closed."),
}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    """Build the one JSON error envelope of the API (docs/api.md)."""
    error: dict = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(("/api/", "/_allauth/"))


class AccessMiddleware(LoginRequiredMiddleware):
    """Refuse every view that declares no rule; apply the rule of those that do."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple,
        view_kwargs: dict,
    ) -> HttpResponse | None:
        from sorority.accounts.policies import access_denial, mark_second_factor

        # Every policy asked during this request reads the session's second-factor
        # state from the user object (an effective moderator needs it).
        mark_second_factor(request.user, request)
        refused = self.refuse_enrolment(request, view_func)
        if refused is not None:
            return refused
        rule = rule_for(view_func)
        if rule is None:
            logger.error("View without an access rule refused: %s", view_func.__module__)
            return self.deny(request, Denial.FORBIDDEN)
        if rule == "delegated":
            if is_api(request):
                return None  # Ninja and allauth headless answer in JSON themselves
            return super().process_view(request, view_func, view_args, view_kwargs)
        denial = access_denial(request.user, Access(rule), request)
        if denial is None:
            return None
        if denial is Denial.NOT_AUTHENTICATED and not is_api(request):
            return self.handle_no_permission(request, view_func)
        return self.deny(request, denial)

    def refuse_enrolment(
        self, request: HttpRequest, view_func: Callable[..., HttpResponse]
    ) -> HttpResponse | None:
        """Refuse to add a factor to a privileged account on her password alone.

        The pages and the headless API (browser and app) of allauth that add a factor
        are all checked here, before allauth's own re-authentication step: a recent
        sign-in with an existing factor, or an operator's enrolment code used in this
        session, is needed (docs/security.md, "Moderator powers").
        """
        if not _adds_a_factor(request, view_func):
            return None
        from sorority.accounts.policies import may_add_second_factor

        user, session = request.user, getattr(request, "session", None)
        if request.path.startswith("/_allauth/app/"):
            user, session = _app_session(request)
        if user is None or not user.is_authenticated:
            return None  # allauth answers 401 itself
        if may_add_second_factor(user, session):
            return None
        logger.info("Second-factor enrolment refused for account #%s", user.pk)
        return self.deny(request, Denial.ENROLMENT_STEP_REQUIRED)

    def handle_no_permission(
        self, request: HttpRequest, view_func: Callable[..., HttpResponse]
    ) -> HttpResponse:
        if is_api(request):
            return self.deny(request, Denial.NOT_AUTHENTICATED)
        # `next` may hold the cell of "around me", never a position (docs/security.md).
        from sorority.places.position import position_free_url

        response = redirect_to_login(
            position_free_url(request.get_full_path()),
            resolve_url(self.get_login_url(view_func)),
            self.get_redirect_field_name(view_func),
        )
        if getattr(request, "htmx", False):
            # Never swap the login page into a fragment: send the whole page there.
            hx = HttpResponse(status=204)
            hx["HX-Redirect"] = response["Location"]
            return hx
        return response

    def deny(self, request: HttpRequest, denial: Denial) -> HttpResponse:
        status = 401 if denial is Denial.NOT_AUTHENTICATED else 403
        if is_api(request):
            return JsonResponse(
                error_body(denial.value, str(_MESSAGES[denial])), status=status
            )
        if denial is Denial.VERIFICATION_REQUIRED:
            return redirect("accounts:status")
        if denial is Denial.SECOND_FACTOR_REQUIRED:
            return redirect("accounts:second_factor")
        if denial is Denial.ENROLMENT_STEP_REQUIRED:
            messages.error(request, _MESSAGES[denial])
            return redirect("accounts:second_factor")
        return render(
            request,
            "403.html",
            {"denial": denial.value, "message": _MESSAGES[denial]},
            status=status,
        )


class PositionFreeUrlMiddleware:
    """No page is served from a URL carrying a position (docs/security.md).

    A page URL (an old bookmark, a hand-made link, a `next` value) with `lat`/`lng`
    is answered with a redirect to the same URL where they are replaced by the
    res-7 `cell=` they fall in (other coordinate keys are dropped), before any view,
    login redirect or template sees it. The API keeps its documented `lat`/`lng`
    query parameters (snapped on arrival) and is left alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.GET or is_api(request) or request.path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        from sorority.places import position

        if not position.carries_position(request.GET):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseBadRequest(
                _("Send a position in the request body, never in the address.")
            )
        query = position.position_free_query(request.GET).urlencode()
        response = HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)
        add_never_cache_headers(response)
        return response


def _adds_a_factor(request: HttpRequest, view_func: Callable[..., object]) -> bool:
    """Say whether this request would add a second factor through allauth."""
    from allauth.headless.mfa import views as headless
    from allauth.mfa.recovery_codes.views import GenerateRecoveryCodesView
    from allauth.mfa.totp.views import ActivateTOTPView
    from allauth.mfa.webauthn.views import AddWebAuthnView

    cls = getattr(view_func, "view_class", None)
    if cls in (ActivateTOTPView, AddWebAuthnView, GenerateRecoveryCodesView):
        return True
    if cls is headless.ManageTOTPView:
        # GET hands out a fresh secret when she has none; POST activates it.
        return request.method in ("GET", "POST")
    if cls is headless.ManageWebAuthnView:
        return request.method in ("GET", "POST")  # registration options, then add
    if cls is headless.ManageRecoveryCodesView:
        return request.method == "POST"
    return False


def _app_session(request: HttpRequest) -> tuple[object | None, object | None]:
    """The person and session behind an app client's X-Session-Token, if any."""
    from allauth.headless.internal.sessionkit import authenticate_by_x_session_token

    token = request.headers.get("X-Session-Token")
    result = authenticate_by_x_session_token(token) if token else None
    if result is None:
        return None, None
    return result.user, result.session


class PrivacyHeadersMiddleware:
    """No caching of anything dynamic; camera allowed only where a page asks for it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            # Back after a quick exit must not show a cached page (docs/security.md §34, 36).
            add_never_cache_headers(response)
        camera = "(self)" if getattr(response, "allow_camera", False) else "()"
        response.headers.setdefault(
            "Permissions-Policy",
            f"camera={camera}, microphone=(), geolocation=(self), payment=(), usb=()",
        )
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if request.method == "POST" and request.path in _logout_paths():
            # Signing out forgets everything the browser kept (docs/security.md §34).
            response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response


@functools.cache
def _logout_paths() -> frozenset[str]:
    return frozenset({reverse("account_logout")})


_STATUS_CODES = {
    400: ("bad_request", "The request is malformed."),
    401: ("not_authenticated", "Sign in to continue."),
    403: ("forbidden", "You may not do this."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "This method is not allowed here."),
    413: ("too_large", "The request is too large."),
    415: ("unsupported_media_type", "This content type is not accepted."),
    429: ("rate_limited", "Too many requests: wait a little and try again."),
}


class ApiErrorEnvelopeMiddleware:
    """Give every 4xx of /api/v1/ the one JSON error envelope, whoever produced it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/v1/")
            and 400 <= response.status_code < 500
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = _STATUS_CODES.get(response.status_code, ("error", "Error."))
            enveloped = JsonResponse(error_body(code, message), status=response.status_code)
            if "Allow" in response:
                enveloped["Allow"] = response["Allow"]
            return enveloped
        return response


class NulCharacterMiddleware:
    """Refuse a URL, query string or form body holding a NUL character: a 400.

    PostgreSQL text cannot hold one, so it would be a 500 at the first query that
    uses it, and it is never legitimate input (docs/security.md). Multipart bodies
    are left to the forms (Django's CharField refuses NUL) and to the API's parser:
    reading them here would consume the upload stream.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or _has_nul(request.GET):
            raise BadRequest("NUL character in the URL")
        if (
            request.method == "POST"
            and request.content_type == "application/x-www-form-urlencoded"
            and _has_nul(request.POST)
        ):
            raise BadRequest("NUL character in the form")
        return self.get_response(request)


def _has_nul(data: QueryDict) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in data.lists()
    )


class CsrfMiddleware(CsrfViewMiddleware):
    """Django's CSRF protection, compatible with `Referrer-Policy: no-referrer`.

    Under that policy browsers send `Origin: null` and no Referer on same-site form
    posts. We accept a null origin only when the browser itself says the request came
    from this very origin (`Sec-Fetch-Site: same-origin`, a header pages cannot set);
    the CSRF token is still checked afterwards.
    """

    def _origin_verified(self, request: HttpRequest) -> bool:
        if (
            request.META.get("HTTP_ORIGIN") == "null"
            and request.META.get("HTTP_SEC_FETCH_SITE") == "same-origin"
        ):
            return True
        return super()._origin_verified(request)


class FrenchByDefaultMiddleware:
    """Web pages are in French unless the person chose English (language cookie).

    The browser's Accept-Language is ignored on pages: the community is French and a
    shared or borrowed device should not change it. API clients may still send it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api(request):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class PostOnlyGetMiddleware:
    """A browser GET on a form's POST-only address goes to the page of that form.

    Browsers GET such an address after signing in again (the login redirect keeps
    `next` = the address the expired session posted to), from the history or from a
    bookmark; a bare "405 Method Not Allowed" there is a dead end. Whatever the view,
    the answer is a redirect to the nearest page above it, with a notice that nothing
    was done. Must sit after `MessageMiddleware` so the notice is kept.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code != 405
            or request.method not in ("GET", "HEAD")
            or is_api(request)
        ):
            return response
        if request.method == "GET":
            messages.info(
                request, _("Nothing was sent. If you still wish to, do it again here.")
            )
        target = page_above(request.path)
        if getattr(request, "htmx", False):
            hx = HttpResponse(status=204)
            hx["HX-Redirect"] = target
            return hx
        return redirect(target)


def page_above(path: str) -> str:
    """Return the nearest ancestor of `path` that is a page of the site, else home.

    An ancestor that is itself POST-only answers the same way, one level higher.
    """
    parts = path.rstrip("/").split("/")
    while len(parts) > 1:
        parts.pop()
        candidate = "/".join(parts) + "/"
        if candidate.startswith("//"):
            continue  # never a scheme-relative URL to another host
        try:
            resolve(candidate)
        except Resolver404:
            continue
        return candidate
    return reverse("core:home")
