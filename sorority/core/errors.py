"""Application errors raised by services, turned into 4xx responses at the edges."""


class ApplicationError(Exception):
    """A rule of the application was broken by the request (never a server fault)."""

    code = "invalid"
    status = 400

    def __init__(
        self, message: str, *, code: str | None = None, fields: dict | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}


class NotFound(ApplicationError):
    code = "not_found"
    status = 404


class Conflict(ApplicationError):
    code = "conflict"
    status = 409


class RateLimited(ApplicationError):
    code = "rate_limited"
    status = 429


class AccessDenied(ApplicationError):
    """Raised by API auth when a signed-in person may not use an endpoint."""

    status = 403


def parsing_error(exc: BaseException) -> tuple[int, str, str] | None:
    """(status, code, message) for one of Django's request-parsing errors, else None.

    The body a client sent could not be read: too large, too many fields or files,
    a multipart without a (valid) boundary, JSON that does not parse, a connection
    cut mid-upload. Always the client's fault, so always a 4xx (docs/security.md).
    """
    from django.core.exceptions import (
        BadRequest,
        RequestDataTooBig,
        SuspiciousOperation,
        TooManyFieldsSent,
        TooManyFilesSent,
    )
    from django.http import UnreadablePostError
    from django.http.multipartparser import MultiPartParserError

    unreadable = "The request body cannot be read."
    table: tuple[tuple[type[BaseException], int, str, str], ...] = (
        (RequestDataTooBig, 413, "too_large", "The request is too large."),
        (TooManyFieldsSent, 400, "too_many_fields", "The request has too many fields."),
        (TooManyFilesSent, 400, "too_many_files", "The request has too many files."),
        (MultiPartParserError, 400, "malformed_request", unreadable),
        (UnreadablePostError, 400, "malformed_request", unreadable),
        (SuspiciousOperation, 400, "bad_request", "The request is malformed."),
        (BadRequest, 400, "bad_request", "The request is malformed."),
    )
    for kind, status, code, message in table:
        if isinstance(exc, kind):
            return status, code, message
    return None


class NulCharacter(ValueError):
    """A client sent text with a NUL character (PostgreSQL text cannot hold one)."""


def contains_nul(value: object) -> bool:
    """Say whether a parsed JSON value or form value holds a NUL character anywhere."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(v) for v in value)
    return False
