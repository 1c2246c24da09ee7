"""Error handlers (400, 403, 404, 500) that never fail on the body they answer.

Django's default handlers run a CSRF check, which reads `request.POST`. On a request
whose body cannot be parsed (a multipart without a boundary, too many fields...) and
that was not parsed before (an unknown URL, a view exempt from CSRF that raised), that
read raises inside the handler and the answer becomes a 500. Here the CSRF check of the
error page is skipped (the page only shows a token, it accepts nothing), and the API
paths get the JSON error envelope instead of a page (docs/security.md).
"""

import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from sorority.core.errors import parsing_error
from sorority.core.middleware import _STATUS_CODES, error_body, is_api


def _prepare(request: HttpRequest) -> None:
    # The error page accepts nothing: its CSRF check need not (and must not) read
    # a body that may not parse.
    request.csrf_processing_done = True  # type: ignore[attr-defined]


def _envelope(status: int, exception: BaseException | None = None) -> JsonResponse:
    found = parsing_error(exception) if exception is not None else None
    if found is not None:
        status, code, message = found
    else:
        code, message = _STATUS_CODES.get(status, ("error", "Error."))
    return JsonResponse(error_body(code, message), status=status)


def bad_request(request: HttpRequest, exception: BaseException) -> HttpResponse:
    _prepare(request)
    if is_api(request):
        return _envelope(400, exception)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: BaseException) -> HttpResponse:
    _prepare(request)
    if is_api(request):
        return _envelope(403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: BaseException) -> HttpResponse:
    _prepare(request)
    if is_api(request):
        return _envelope(404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    _prepare(request)
    # Django sends a body that could not be read (the client went away mid-upload:
    # UnreadablePostError) here; it is the client's doing, so it is a 400.
    exception = sys.exc_info()[1]
    if exception is not None and parsing_error(exception) is not None:
        return bad_request(request, exception)
    if is_api(request):
        return JsonResponse(
            error_body("server_error", "Something went wrong."), status=500
        )
    return defaults.server_error(request)
