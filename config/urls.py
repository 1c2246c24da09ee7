"""Root URLs. Each Sorority app that has a `urls.py` is mounted at its `URL_PREFIX`."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import set_language

from config.api import api
from sorority.core.access import Access, access
from sorority.core.metrics import metrics_view


def _app_urls() -> list[URLPattern | URLResolver]:
    patterns: list[URLPattern | URLResolver] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("sorority.") or not find_spec(f"{config.name}.urls"):
            continue
        module = import_module(f"{config.name}.urls")
        patterns.append(path(getattr(module, "URL_PREFIX", ""), include(module)))
    return patterns


urlpatterns = [
    path("i18n/setlang/", access(Access.PUBLIC)(set_language), name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("api/v1/", api.urls),
    path("metrics", metrics_view, name="metrics"),
    path(settings.ADMIN_URL, admin.site.urls),
    *_app_urls(),
]

# Error pages that answer any request, even one whose body does not parse.
handler400 = "sorority.core.error_pages.bad_request"
handler403 = "sorority.core.error_pages.permission_denied"
handler404 = "sorority.core.error_pages.page_not_found"
handler500 = "sorority.core.error_pages.server_error"
