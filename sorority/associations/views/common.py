"""Helpers shared by the pages of this app."""

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest

from sorority.core.errors import ApplicationError, NotFound
from sorority.places import gazetteer


def _run(request: HttpRequest, action: Callable[[], object], success: str = "") -> bool:
    """Call a service; show its refusal as a message. A NotFound becomes a 404."""
    try:
        action()
    except NotFound as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return False
    if success:
        messages.success(request, success)
    return True


def _commune_name(code: str) -> str:
    commune = gazetteer.get(code) if code else None
    return f"{commune.name} ({commune.postcode})" if commune else ""
