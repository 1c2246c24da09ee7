"""Logs without personal data, each line tied to its request (docs/operations.md).

* `RequestIdMiddleware` gives every request an id (`request.id`): the caller's
  `X-Request-ID` when it is well formed, a fresh UUID otherwise. It is echoed in the
  response header and carried into every log line by `RequestIdFilter`.
* `ScrubFilter` runs on the handler, so it sees every record of every logger. It
  formats the message, removes e-mail addresses, phone numbers, coordinates and
  query strings, and drops every attribute that is not a plain logging field, so a
  `request` object (whose repr holds the query string) never reaches the output.
* `LOG_FORMAT=json` writes one JSON object a line (python-json-logger); `plain`
  (the default, for `make run`) writes text. Both pass through the same filters.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import traceback
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar(
    "request_id", default="-"
)
logger = logging.getLogger("sorority.request")

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{7,63}$")

# Attributes every LogRecord has; anything else (a `request`, a user object...) is
# dropped, except the few fields the project itself sets.
_RECORD_FIELDS = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}
ALLOWED_EXTRA = frozenset(
    {"request_id", "status_code", "route", "method", "duration_ms"}
)

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A query string after a path or URL: everything from "?" to the next blank.
QUERY_RE = re.compile(r"(?<=[\w/])\?[^\s'\"]*")
# A decimal number with 3 or more decimals: a position (or close enough to one).
COORD_RE = re.compile(r"(?<![\w.])[-+]?\d{1,3}[.,]\d{3,}(?![\w])")
# Phone numbers: +33 6 12 34 56 78, 06.12.34.56.78, 0612345678, +4915123456789.
PHONE_RE = re.compile(r"(?<![\w])(?:\+|00)?\d(?:[ .-]?\d){8,14}(?![\w])")


def scrub(text: str) -> str:
    """Remove what could identify or locate a person from a log text."""
    text = EMAIL_RE.sub("[email]", text)
    text = QUERY_RE.sub("?[query]", text)
    text = COORD_RE.sub("[number]", text)
    return PHONE_RE.sub("[phone]", text)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get()
        return True


def _redact_objects(args: object) -> object:
    """Model instances (a person, a message...) never reach a log line, whole."""
    from django.db.models import Model

    if isinstance(args, tuple):
        return tuple("[object]" if isinstance(a, Model) else a for a in args)
    if isinstance(args, dict):
        return {k: "[object]" if isinstance(v, Model) else v for k, v in args.items()}
    return args


class ScrubFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.args = _redact_objects(record.args)  # type: ignore[assignment]
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the line
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = ()
        if record.exc_info:
            record.exc_text = scrub(
                "".join(traceback.format_exception(*record.exc_info))
            )
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        for key in list(record.__dict__):
            if key not in _RECORD_FIELDS and key not in ALLOWED_EXTRA:
                del record.__dict__[key]
        return True


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or match.url_name or "unnamed"


class RequestIdMiddleware:
    """Outermost: id in, id out, one access line and the latency metric."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from sorority.core import metrics

        supplied = request.headers.get("X-Request-ID", "")
        request.id = supplied if REQUEST_ID_RE.match(supplied) else uuid.uuid4().hex
        token = request_id_var.set(request.id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            elapsed = time.perf_counter() - started
            route = _route(request)
            response["X-Request-ID"] = request.id
            metrics.observe_request(
                request.method or "", route, response.status_code, elapsed
            )
            logger.info(
                "%s %s %s",
                request.method,
                request.path,  # the path only: never the query string
                response.status_code,
                extra={
                    "method": request.method,
                    "route": route,
                    "status_code": response.status_code,
                    "duration_ms": round(elapsed * 1000, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(token)
