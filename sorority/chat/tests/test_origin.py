"""The WebSocket origin check: scheme, host and port must be the site's (issue 10 §8).

A browser always sends Origin on a WebSocket handshake, and sends her cookie along
whatever page opened it: a page on another origin (another port of the same host
included) must not ride her session (cross-site WebSocket hijacking). Apps send no
Origin; they authenticate with their session token and the cookie is then ignored.
"""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from sorority.accounts.models import User
from sorority.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@database_sync_to_async
def member_cookie() -> bytes:
    client = Client()
    client.force_login(UserFactory(status=User.Status.MEMBER))
    return f"sessionid={client.cookies['sessionid'].value}".encode()


@database_sync_to_async
def member_token() -> str:
    user = UserFactory(status=User.Status.MEMBER)
    response = Client().post(
        "/_allauth/app/v1/auth/login",
        {"email": user.email, "password": PASSWORD},
        content_type="application/json",
    )
    return response.json()["meta"]["session_token"]


async def attempt(
    headers: list[tuple[bytes, bytes]], path: str = "/ws/chat/", **scope: object
):
    ws = WebsocketCommunicator(application, path, headers=headers)
    ws.scope.update(scope)
    connected, code = await ws.connect(timeout=3)
    await ws.disconnect()
    return connected, code


@pytest.mark.parametrize(
    ("host", "origin", "scheme"),
    [
        (b"testserver", b"http://testserver", "ws"),
        (b"testserver:8000", b"http://testserver:8000", "ws"),
        (b"testserver", b"http://testserver:80", "ws"),
        (b"testserver", b"https://testserver", "wss"),
        (b"testserver:8443", b"https://testserver:8443", "wss"),
    ],
)
async def test_the_sites_own_origin_is_accepted(host, origin, scheme):
    cookie = await member_cookie()
    connected, _ = await attempt(
        [(b"host", host), (b"origin", origin), (b"cookie", cookie)], scheme=scheme
    )
    assert connected


@pytest.mark.parametrize(
    ("host", "origin", "scheme"),
    [
        (b"testserver", b"http://testserver:8080", "ws"),  # another port
        (b"testserver:8000", b"http://testserver:9000", "ws"),
        (b"testserver:8000", b"http://testserver", "ws"),
        (b"testserver", b"https://testserver", "ws"),  # another scheme
        (b"testserver", b"http://testserver", "wss"),
        (b"testserver", b"https://evil.example", "wss"),  # another host
        (b"testserver", b"http://sub.testserver", "ws"),
        (b"evil.example", b"http://evil.example", "ws"),  # a Host not allowed
        (b"testserver", b"null", "ws"),  # sandboxed frames, files
        (b"testserver", b"http://testserver/path", "ws"),
        (b"testserver", b"garbage", "ws"),
        (b"testserver", b"http://testserver:99999", "ws"),
    ],
)
async def test_another_scheme_host_or_port_is_refused(host, origin, scheme):
    cookie = await member_cookie()
    connected, _ = await attempt(
        [(b"host", host), (b"origin", origin), (b"cookie", cookie)], scheme=scheme
    )
    assert not connected


async def test_behind_the_tls_proxy_the_forwarded_scheme_counts():
    cookie = await member_cookie()
    base = [(b"host", b"testserver"), (b"cookie", cookie)]
    forwarded = (b"x-forwarded-proto", b"https")
    assert (await attempt([*base, forwarded, (b"origin", b"https://testserver")]))[0]
    assert not (await attempt([*base, forwarded, (b"origin", b"http://testserver")]))[0]


async def test_configured_trusted_origins_are_accepted_exactly(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.example:8443"]
    cookie = await member_cookie()
    base = [(b"host", b"testserver"), (b"cookie", cookie)]
    assert (await attempt([*base, (b"origin", b"https://app.example:8443")]))[0]
    assert not (await attempt([*base, (b"origin", b"https://app.example")]))[0]


async def test_without_an_origin_the_cookie_is_refused():
    cookie = await member_cookie()
    connected, _ = await attempt([(b"host", b"testserver"), (b"cookie", cookie)])
    assert not connected


async def test_without_an_origin_an_app_token_is_accepted_and_the_cookie_ignored():
    token = await member_token()
    connected, _ = await attempt(
        [(b"host", b"testserver"), (b"x-session-token", token.encode())]
    )
    assert connected
    connected, _ = await attempt(
        [(b"host", b"testserver")], path=f"/ws/chat/?token={token}"
    )
    assert connected
    # A bad token with a good cookie and no Origin: the cookie is not used.
    cookie = await member_cookie()
    connected, code = await attempt(
        [(b"host", b"testserver"), (b"cookie", cookie), (b"x-session-token", b"nope")]
    )
    assert not connected
    assert code == 4401
