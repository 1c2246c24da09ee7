"""Small security hooks referenced from settings."""

from django.conf import settings
from django.http import HttpRequest


def axes_ignores_non_admin(
    request: HttpRequest, credentials: dict | None = None
) -> bool:
    """django-axes guards the admin login only; allauth rate-limits the member login.

    Without this, axes would lock member logins for an hour after 5 failures, which an
    abuser could use to lock a victim out of her account.
    """
    return not request.path.startswith(f"/{settings.ADMIN_URL}")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as allauth's rate limits see it, for django-axes too.

    Behind the reverse proxy every request comes from 127.0.0.1: without this, five
    wrong admin passwords from anyone would lock the admin login for everyone. The
    address comes from X-Forwarded-For, counting `ALLAUTH_TRUSTED_PROXY_COUNT`
    proxies from the right (the entries a client wrote itself are never trusted).
    """
    from allauth.account.adapter import get_adapter
    from django.core.exceptions import ImproperlyConfigured, PermissionDenied

    try:
        return get_adapter(request).get_client_ip(request)
    except (PermissionDenied, ImproperlyConfigured):
        return request.META.get("REMOTE_ADDR")
