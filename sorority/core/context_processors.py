"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest

from sorority.core.navigation import nav_for
from sorority.core.neutral import is_discreet


def site(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    discreet = is_discreet(request)
    exit_url = (
        getattr(user, "exit_url", "") if user is not None else ""
    ) or settings.QUICK_EXIT_URL
    return {
        "discreet": discreet,
        "site_name": "Notes" if discreet else "Sorority",
        "quick_exit_url": exit_url,
        "demo_mode": settings.DEMO_MODE,
        "nav_items": nav_for(request),
    }
