"""WebSocket routes, gathered from every Sorority app that has a `routing.py`."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.urls import URLPattern, URLResolver


def _collect() -> list[URLPattern | URLResolver]:
    patterns: list[URLPattern | URLResolver] = []
    for config in apps.get_app_configs():
        if config.name.startswith("sorority.") and find_spec(f"{config.name}.routing"):
            patterns += import_module(f"{config.name}.routing").websocket_urlpatterns
    return patterns


websocket_urlpatterns = _collect()
