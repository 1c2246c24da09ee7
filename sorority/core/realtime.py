"""Open channels (WebSockets) bound to the session that opened them.

A socket is only as good as the session or app token that opened it. Each socket
records that session key and listens, besides its person's group `user.<id>`, on a
group named from a keyed hash of the key (`session.<hmac>`; the raw key never
appears in a group name or a log). Two signals reach it, on one process and across
processes through the channel layer (Redis in production):

- `session.revoked`: the session store deleted that session (sign-out, sign-out
  everywhere, app-token logout, quick exit, erasure's logout...). The project's
  session engine (`sorority.core.sessions`) sends it from `delete()`, so every path
  that ends a session, present and future, is covered at the lowest layer.
- `account.recheck`: her account state changed (`sorority.core.account_state`:
  ban, suspension, role or staff membership, password, erasure, block). The socket
  checks its session again with the same rule as an HTTP request (session exists,
  it is hers, its authentication hash still matches her password) and its access
  rule (`access_denial`), and closes when either fails.

Every inbound frame checks the session again before acting, a periodic recheck
catches what no signal announces (expiry), and once a socket is revoked it leaves
its groups and delivers nothing more. See docs/security.md.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.db import transaction
from django.utils.crypto import salted_hmac

from sorority.core import metrics
from sorority.core.access import Access
from sorority.core.account_state import Reason

if TYPE_CHECKING:
    from sorority.accounts.models import User

logger = logging.getLogger(__name__)

CLOSE_RECONNECT = 4000  # her session key was rotated: open again with the new one
CLOSE_UNAUTHORISED = 4401  # no valid session behind this socket any more
CLOSE_FORBIDDEN = 4403  # the session is valid but its person may not use this socket

_pending: set = set()  # strong references to fire-and-forget pushes


# ---------------------------------------------------------------------------
# Groups and sending
# ---------------------------------------------------------------------------
def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def session_group(session_key: str) -> str:
    """The group of the sockets opened with this session: a keyed hash, never the key."""
    digest = salted_hmac("sorority.realtime.session", session_key).hexdigest()
    return f"session.{digest[:40]}"


def send_to_groups(groups: Iterable[str], event: dict) -> None:
    """Send an event to channel-layer groups, now.

    When called in a worker thread of an ASGI server (a WebSocket frame or an ASGI
    request), the send is handed to the server's event loop without making the
    database thread wait for it; elsewhere it runs to completion here.
    """
    from asgiref.sync import SyncToAsync, async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    targets = list(dict.fromkeys(groups))
    if layer is None or not targets:
        return

    async def push() -> None:
        await asyncio.gather(*(layer.group_send(group, event) for group in targets))

    local = SyncToAsync.threadlocal
    loop = getattr(local, "main_event_loop", None)
    if (
        loop is not None
        and getattr(local, "main_event_loop_pid", None) == os.getpid()
        and loop.is_running()
    ):

        def start() -> None:
            task = loop.create_task(push())
            _pending.add(task)
            task.add_done_callback(_pending.discard)

        loop.call_soon_threadsafe(start)
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        async_to_sync(push)()
        return
    # Sync code running directly on an event loop thread: schedule, never block it.
    task = asyncio.get_running_loop().create_task(push())
    _pending.add(task)
    task.add_done_callback(_pending.discard)


def send_on_commit(groups: Iterable[str], event: dict) -> None:
    """Send once the current transaction commits (at once outside a transaction)."""
    targets = list(groups)
    # Robust: a channel-layer outage is logged, never turns the committed sign-out
    # or ban into an error (each frame and the periodic recheck still refuse).
    transaction.on_commit(lambda: send_to_groups(targets, event), robust=True)


def session_ended(session_key: str, *, rotated: bool = False) -> None:
    """The session store deleted this session: close the sockets it opened.

    `rotated` means the same person goes on under a new key (a password change in
    this session, a fresh login): her socket closes with a code that tells the page
    to connect again, with the new key.
    """
    kind = "session.rotated" if rotated else "session.revoked"
    send_on_commit([session_group(session_key)], {"type": kind})


def account_state_changed(user_id: int, reason: Reason) -> None:
    """Account-state hook: every socket of hers checks its session and rule again."""
    send_on_commit(
        [user_group(user_id)], {"type": "account.recheck", "reason": str(reason)}
    )


# ---------------------------------------------------------------------------
# Who is behind a session key
# ---------------------------------------------------------------------------
def session_user(session_key: str | None) -> User | None:
    """The person signed in by this session key, with the rule of an HTTP request.

    None when the session is missing or expired, names no person, its backend is
    not configured, the person cannot sign in (inactive), or its authentication hash
    no longer matches her password (changed in another session). Side-effect free:
    unlike `django.contrib.auth.get_user`, it never flushes the session.
    """
    from importlib import import_module

    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        load_backend,
    )
    from django.utils.crypto import constant_time_compare

    if not session_key or not isinstance(session_key, str):
        return None
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    data = store.load()
    user_id = data.get(SESSION_KEY)
    backend_path = data.get(BACKEND_SESSION_KEY)
    session_hash = data.get(HASH_SESSION_KEY)
    if not user_id or backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    user = load_backend(backend_path).get_user(user_id)
    if user is None or not isinstance(session_hash, str):
        return None
    if constant_time_compare(session_hash, user.get_session_auth_hash()):
        return user
    for fallback in settings.SECRET_KEY_FALLBACKS:
        if constant_time_compare(
            session_hash,
            user._get_session_auth_hash(secret=fallback),  # Django's own check
        ):
            return user
    return None


def authorise(session_key: str | None, rule: Access) -> tuple[User | None, int | None]:
    """(person, None) when the session is valid and she passes `rule`; else a close code."""
    from sorority.accounts.policies import access_denial

    user = session_user(session_key)
    if user is None:
        return None, CLOSE_UNAUTHORISED
    if access_denial(user, rule) is not None:
        return user, CLOSE_FORBIDDEN
    return user, None


# ---------------------------------------------------------------------------
# The consumer base
# ---------------------------------------------------------------------------
def _token_from_scope(scope: dict) -> str | None:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    headers = dict(scope.get("headers", []))
    return (query.get("token") or [None])[0] or (
        headers.get(b"x-session-token", b"").decode("latin-1") or None
    )


class SessionBoundConsumer(AsyncJsonWebsocketConsumer):
    """A WebSocket tied to the session or app token that opened it.

    Subclasses set `access_rule` (a socket for staff or moderators names its rule
    and closes as soon as she loses it), deliver pushes with `deliver()` and, before
    acting on a frame, call `authorise()` in their database thread (or check
    `self.revoked`).
    """

    access_rule: Access = Access.MEMBER
    user_id: int | None = None
    session_key: str | None = None
    revoked: bool = False
    _groups: tuple[str, ...] = ()
    _watch: asyncio.Task | None = None

    @staticmethod
    def recheck_every() -> float:
        return float(getattr(settings, "REALTIME_RECHECK_SECONDS", 60))

    def session_key_from_scope(self) -> str | None:
        """The app token when one is given (it is a session key), else the cookie's."""
        token = _token_from_scope(self.scope)
        if token:
            return token
        session = self.scope.get("session")
        return getattr(session, "session_key", None) if session is not None else None

    async def connect(self) -> None:
        key = self.session_key_from_scope()
        user, code = await database_sync_to_async(authorise)(key, self.access_rule)
        if code is not None or user is None or key is None:
            await self.close(code=code or CLOSE_UNAUTHORISED)
            return
        self.user_id = user.pk
        self.session_key = key
        self._groups = (user_group(user.pk), session_group(key))
        for group in self._groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        self._counted = True
        metrics.websocket_opened()
        self._watch = asyncio.get_running_loop().create_task(self._periodic_recheck())

    async def _periodic_recheck(self) -> None:
        """Check again now and then: expiry sends no signal, and a lost signal
        (channel layer briefly down) is caught up here.

        The first wait is spread (half to one interval) so that sockets opened
        together, after a restart, do not all check at the same moment.
        """
        wait = self.recheck_every() * (0.5 + random.random() / 2)  # noqa: S311 -- spreading, not secrecy
        while not self.revoked:
            await asyncio.sleep(wait)
            wait = self.recheck_every()
            try:
                await self.account_recheck({"type": "account.recheck"})
            except Exception:
                logger.exception("WebSocket periodic recheck failed")

    async def _leave(self) -> None:
        groups, self._groups = self._groups, ()
        for group in groups:
            await self.channel_layer.group_discard(group, self.channel_name)
        watch, self._watch = self._watch, None
        if watch is not None and watch is not asyncio.current_task():
            watch.cancel()  # (the periodic recheck itself stops once revoked)

    async def revoke(self, code: int) -> None:
        """Close at once; from now on nothing is delivered and no frame is acted on."""
        if self.revoked:
            return
        self.revoked = True
        await self.close(code=code)
        await self._leave()

    async def disconnect(self, code: int) -> None:
        if getattr(self, "_counted", False):
            self._counted = False
            metrics.websocket_closed()
        await self._leave()

    async def deliver(self, payload: dict) -> None:
        """Push to the page, unless the socket was revoked."""
        if self.revoked or self.user_id is None:
            return
        await self.send_json(payload)

    # -- channel-layer events ---------------------------------------------------
    async def session_revoked(self, event: dict) -> None:
        await self.revoke(CLOSE_UNAUTHORISED)

    async def session_rotated(self, event: dict) -> None:
        await self.revoke(CLOSE_RECONNECT)

    async def account_recheck(self, event: dict) -> None:
        if self.revoked or self.user_id is None:
            return
        user, code = await database_sync_to_async(authorise)(
            self.session_key, self.access_rule
        )
        if code is None and user is not None and user.pk != self.user_id:
            code = CLOSE_UNAUTHORISED
        if code is not None:
            await self.revoke(code)


# ---------------------------------------------------------------------------
# Origin check (issue: scheme, host and port must match the site)
# ---------------------------------------------------------------------------
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_tuple(value: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin, default ports filled; None when malformed."""
    try:
        parts = urlsplit(value)
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower()
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:
        return None
    if scheme not in _DEFAULT_PORTS or not host or port is None:
        return None
    if parts.path not in ("", "/") or parts.query or parts.username or parts.password:
        return None
    return scheme, host, port


def _header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _site_scheme(scope: dict) -> str:
    """The scheme the browser used: wss means https; the proxy header as Django reads it."""
    scheme = "https" if scope.get("scheme") == "wss" else "http"
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy:
        header_name, secure_value = proxy
        name = header_name.removeprefix("HTTP_").replace("_", "-").lower().encode()
        value = _header(scope, name)
        if value is not None:
            scheme = "https" if value.split(",")[0].strip() == secure_value else "http"
    return scheme


def allowed_origins(scope: dict) -> set[tuple[str, str, int]]:
    """The site as this request reached it (allowed Host, same scheme), plus the
    origins configured in `CSRF_TRUSTED_ORIGINS` (exact entries; wildcards ignored)."""
    from django.http.request import split_domain_port, validate_host

    origins: set[tuple[str, str, int]] = set()
    host = _header(scope, b"host")
    if host:
        domain, _port = split_domain_port(host)
        if domain and validate_host(domain, settings.ALLOWED_HOSTS):
            own = _origin_tuple(f"{_site_scheme(scope)}://{host}")
            if own:
                origins.add(own)
    for entry in getattr(settings, "CSRF_TRUSTED_ORIGINS", []):
        if "*" not in entry:
            parsed = _origin_tuple(entry)
            if parsed:
                origins.add(parsed)
    return origins


def origin_verdict(scope: dict) -> str:
    """Return "allow", "token_only" (no Origin: an app; no cookie used) or "deny".

    Browsers always send Origin on a WebSocket handshake; a page elsewhere must not
    ride her cookie (cross-site WebSocket hijacking), so a foreign or malformed
    origin, or a port or scheme that differs from the site's, is refused. Native
    apps send no Origin and authenticate with their session token, which no foreign
    page holds; without an Origin, the cookie is never used.
    """
    origin = _header(scope, b"origin")
    if origin is None:
        return "token_only" if _token_from_scope(scope) else "deny"
    parsed = _origin_tuple(origin)
    if parsed is not None and parsed in allowed_origins(scope):
        return "allow"
    return "deny"


class SiteOriginValidator:
    """ASGI middleware for WebSockets: refuse any origin but the site's own."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        if scope.get("type") != "websocket":
            return await self.application(scope, receive, send)
        verdict = origin_verdict(scope)
        if verdict == "deny":
            logger.info("WebSocket refused: origin not the site's")
            return await WebsocketDenier()(scope, receive, send)
        if verdict == "token_only":
            headers = [
                (k, v) for k, v in scope.get("headers", []) if k.lower() != b"cookie"
            ]
            scope = {**scope, "headers": headers}
        return await self.application(scope, receive, send)
