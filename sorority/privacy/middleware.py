"""Moderators are signed out after 15 minutes without activity (docs/security.md §34)."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

SESSION_KEY = "privacy_last_seen"
# Writing the session on every request would cost a write per page; a stamp that is
# at most this old keeps the timeout exact to within a minute.
STAMP_EVERY = 60
# Requests the browser makes by itself are not activity.
_PASSIVE_PATHS = ("/sw.js", "/manifest.webmanifest", "/favicon.ico")


class ModeratorIdleTimeoutMiddleware:
    """Sign a moderator out once she has been idle longer than the timeout.

    Goes right after `AuthenticationMiddleware`, so that the access check that
    follows sees her signed out and sends her to the login page. The response then
    carries `Clear-Site-Data` so the browser forgets what it held.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timed_out = self._check(request)
        response = self.get_response(request)
        if timed_out:
            response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response

    def _check(self, request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if (
            request.path.startswith(settings.STATIC_URL)
            or request.path in _PASSIVE_PATHS
        ):
            return False
        from sorority.accounts.policies import holds_moderator_role

        # The role, not the session's factor: a password-only moderator times out too.
        if not holds_moderator_role(user):
            return False
        timeout = getattr(settings, "MODERATOR_IDLE_TIMEOUT", 15 * 60)
        now = time.time()
        last = request.session.get(SESSION_KEY)
        if isinstance(last, int | float) and now - last > timeout:
            logout(request)
            return True
        if not isinstance(last, int | float) or now - last >= STAMP_EVERY:
            request.session[SESSION_KEY] = now
        return False


class DiscreetCookieMiddleware:
    """Keep the device's discreet-mode cookie in step with her setting.

    Signed in, her setting decides every page; the cookie lets the pages she then
    sees signed out on this device (an expired session, the login page) be neutral
    too. It holds "1" and nothing about her. Signing out or the quick exit clears it
    with the rest of the site's data (`Clear-Site-Data`).
    """

    MAX_AGE = 365 * 24 * 3600

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from sorority.core.neutral import DISCREET_COOKIE

        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        has_cookie = request.COOKIES.get(DISCREET_COOKIE) == "1"
        if user.discreet_mode and not has_cookie:
            response.set_cookie(
                DISCREET_COOKIE,
                "1",
                max_age=self.MAX_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        elif not user.discreet_mode and DISCREET_COOKIE in request.COOKIES:
            response.delete_cookie(DISCREET_COOKIE, samesite="Lax")
        return response
