"""Sections other apps add to an applicant's status page (`/me/status/`).

The accounts app knows nothing of verification: the verification app registers a
panel at start-up (its `AppConfig.ready()`), as apps register navigation items.
"""

from collections.abc import Callable

from django.http import HttpRequest

# A panel returns the context of one section, with the template to render it under
# "template", or None when it has nothing to show to this person.
Panel = Callable[[HttpRequest], dict | None]

_PANELS: dict[str, Panel] = {}


def register(name: str, panel: Panel) -> None:
    """Add (or replace) the panel called `name`."""
    _PANELS[name] = panel


def panels_for(request: HttpRequest) -> list[dict]:
    """Return the sections to show to the person of `request`, in registration order."""
    return [found for panel in _PANELS.values() if (found := panel(request))]
