"""Behind the reverse proxy: the client's address comes from X-Forwarded-For.

caddy (deploy/Caddyfile) replaces any X-Forwarded-For a client sends with the address
it saw, so Django sees every request from 127.0.0.1 with one trusted entry
(`ALLAUTH_TRUSTED_PROXY_COUNT=1`). The admin lock-out (django-axes) must count per
client, not per proxy.
"""

import pytest
from django.urls import reverse

from sorority.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _fail(client, url: str, email: str, address: str):
    return client.post(
        url,
        {"username": email, "password": "wrong-wrong"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=address,
    )


def test_admin_lock_out_behind_the_proxy_is_per_client_not_per_proxy(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    admin = UserFactory(is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, url, admin.email, "203.0.113.5")
    assert _fail(client, url, admin.email, "203.0.113.5").status_code == 429
    # Another person behind the same proxy is not locked out by the first one.
    other = _fail(client, url, "someone-else@example.org", "198.51.100.7")
    assert other.status_code == 200


def test_a_forwarded_for_header_is_ignored_when_no_proxy_is_trusted(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    admin = UserFactory(is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for i in range(settings.AXES_FAILURE_LIMIT):
        # A client rotating a forged header does not escape the lock-out.
        _fail(client, url, admin.email, f"192.0.2.{i}")
    assert _fail(client, url, admin.email, "192.0.2.99").status_code == 429
