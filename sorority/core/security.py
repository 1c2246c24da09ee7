"""Small security hooks referenced from settings."""

from django.conf import settings
from django.http import HttpRequest


def axes_ignores_non_admin(request: HttpRequest, credentials: dict | None = None) -> bool:
    """django-axes guards the admin login only; allauth rate-limits the member login.

    Without this, axes would lock member logins for an hour after 5 failures, which an
    abuser could use to lock a victim out of her account.
    """
    return not request.path.startswith(f"/{settings.ADMIN_URL}")
