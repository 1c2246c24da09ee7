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
