"""The JSON API v1: one NinjaAPI, one error envelope, routers from every app.

Each Sorority app with an `api.py` exposing `router` is mounted at its `API_PREFIX`.
"""

import logging
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI
from ninja.errors import (
    AuthenticationError,
    AuthorizationError,
    HttpError,
    ValidationError,
)
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser

from sorority.core.access import Access
from sorority.core.api import api_access
from sorority.core.errors import (
    ApplicationError,
    NulCharacter,
    contains_nul,
    parsing_error,
)
from sorority.core.middleware import error_body

logger = logging.getLogger(__name__)

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "array",
                        "items": {"type": "string"},
                    },
                },
            },
        }
    },
}


class StrictParser(Parser):
    """Ninja's JSON and query parsing, refusing text with a NUL character.

    PostgreSQL text cannot hold one: it would be a 500 at the first query, and is
    never legitimate input. Refused here once for every body and query of the API.
    """

    def parse_body(self, request: HttpRequest) -> dict:
        data = super().parse_body(request)
        if contains_nul(data):
            raise NulCharacter("NUL character in the body")
        return data

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict:
        result = super().parse_querydict(data, list_fields, request)
        if contains_nul(result):
            raise NulCharacter("NUL character in the query")
        return result


class SororityAPI(NinjaAPI):
    """The API, whose OpenAPI schema documents the error envelope of every 4xx."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(
            path_prefix=path_prefix, path_params=path_params
        )
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = (
            ERROR_SCHEMA
        )
        envelope = {
            "description": "Refused: the error envelope (never a 5xx for bad input)",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
            },
        }
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if isinstance(operation, dict) and "responses" in operation:
                    operation["responses"].setdefault("4XX", envelope)
        return schema


api = SororityAPI(
    title="Sorority API",
    version="1",
    urls_namespace="api",
    parser=StrictParser(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=api_access(
        Access.MEMBER
    ),  # default deny: members only unless an operation says
)


def _reply(
    request: HttpRequest, status: int, code: str, message: str, **extra
) -> HttpResponse:
    return api.create_response(
        request, error_body(code, message, **extra), status=status
    )


def _fields(exc: ValidationError) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [
            str(part)
            for part in err.get("loc", ())
            if part not in ("body", "payload", "query", "path", "form", "file")
        ]
        fields.setdefault(".".join(loc) or "__all__", []).append(
            str(err.get("msg", "invalid"))
        )
    return fields


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _reply(
        request, 400, "invalid", "Some fields are invalid.", fields=_fields(exc)
    )


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return _reply(request, exc.status, exc.code, exc.message, fields=exc.fields or None)


@api.exception_handler(AuthenticationError)
def on_authentication_error(
    request: HttpRequest, exc: AuthenticationError
) -> HttpResponse:
    return _reply(request, 401, "not_authenticated", "Sign in to continue.")


@api.exception_handler(AuthorizationError)
def on_authorization_error(
    request: HttpRequest, exc: AuthorizationError
) -> HttpResponse:
    return _reply(request, 403, "forbidden", "You may not do this.")


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _reply(request, 403, "forbidden", "You may not do this.")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _reply(request, 404, "not_found", "Not found.")


# Django's request-parsing errors (the body read by Ninja or by a view): a 4xx in the
# envelope, never a 500 nor Django's HTML page.
def parsing_error_reply(
    request: HttpRequest, exc: BaseException
) -> HttpResponse | None:
    """The envelope for a request-parsing error, or None if `exc` is not one."""
    found = parsing_error(exc)
    if found is None:
        return None
    status, code, message = found
    return _reply(request, status, code, message)


def _on_parsing_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    reply = parsing_error_reply(request, exc)
    if reply is None:  # pragma: no cover - registered only for parsing errors
        raise exc
    return reply


for _kind in (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    MultiPartParserError,
    UnreadablePostError,
    SuspiciousOperation,
    BadRequest,
):
    api.add_exception_handler(_kind, _on_parsing_error)


@api.exception_handler(NulCharacter)
def on_nul_character(request: HttpRequest, exc: NulCharacter) -> HttpResponse:
    return _reply(request, 400, "invalid", "Text cannot contain a NUL character.")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Ninja wraps what its body parser raised ("Cannot parse request body").
    if exc.status_code == 400 and exc.__cause__ is not None:
        cause = exc.__cause__
        reply = parsing_error_reply(request, cause)
        if reply is not None:
            return reply
        if isinstance(cause, NulCharacter):
            return on_nul_character(request, cause)
        if isinstance(cause, ValueError):  # JSON that does not parse, bad encoding
            return _reply(
                request, 400, "malformed_request", "The request body cannot be read."
            )
    code = {
        400: "bad_request",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        429: "rate_limited",
    }
    return _reply(
        request, exc.status_code, code.get(exc.status_code, "error"), str(exc)
    )


for _config in apps.get_app_configs():
    if _config.name.startswith("sorority.") and find_spec(f"{_config.name}.api"):
        _module = import_module(f"{_config.name}.api")
        if hasattr(_module, "router"):
            api.add_router(getattr(_module, "API_PREFIX", ""), _module.router)
