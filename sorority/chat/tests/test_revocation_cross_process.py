"""A revocation in one process closes a socket held by another (issue 10 §1).

A real uvicorn process serves `config.asgi:application` on a free port, on the same
test database (PostgreSQL: the subprocess sees what this test committed) and the
same Redis channel layer. A real WebSocket client connects to it with her session;
the revocation happens here, in the test process, through the public surface, and
the socket held by the other process must close within 1 s. Skipped unless
REDIS_URL is set and the database is PostgreSQL (an in-memory SQLite test database
is invisible to another process).
"""

import contextlib
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from sorority.accounts.models import User
from sorority.accounts.tests.factories import PASSWORD, UserFactory
from sorority.chat import services
from sorority.chat.tests.factories import conversation_between

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[3]
LIMIT = 1.0

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL")
        or not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs REDIS_URL and a PostgreSQL DATABASE_URL",
    ),
]

websockets_sync = pytest.importorskip("websockets.sync.client")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    port = db.get("PORT") or "5432"
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{port}/{db['NAME']}"


@pytest.fixture
def redis_layer(settings):
    settings.CHANNEL_LAYERS = {"default": settings.REDIS_CHANNEL_LAYER}


@pytest.fixture
def other_process(transactional_db, redis_layer):
    """uvicorn in its own process, on this test database and this Redis."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_CONN_MAX_AGE": "0",
    }
    command = [
        sys.executable, "-m", "uvicorn", "config.asgi:application",
        "--host", "127.0.0.1", "--port", str(port), "--ws", "websockets-sansio",
        "--lifespan", "off", "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=ROOT)  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert process.poll() is None, "uvicorn exited"
            time.sleep(0.2)
        else:
            pytest.fail("uvicorn did not start within 60 s")
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _signed_in(user: User) -> Client:
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


@contextlib.contextmanager
def _socket(port: int, client: Client):
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    with websockets_sync.connect(
        f"ws://127.0.0.1:{port}/ws/chat/",
        additional_headers={"Origin": f"http://127.0.0.1:{port}", "Cookie": cookie},
        proxy=None,
        open_timeout=10,
    ) as ws:
        yield ws


def _closed_within(ws, started: float, kind: str, began: float) -> int:
    """`started`: the revocation committed; `began`: its request or call began."""
    from websockets.exceptions import ConnectionClosed

    closed: ConnectionClosed | None = None
    try:
        while True:
            left = LIMIT - (time.monotonic() - started)
            assert left > 0, f"{kind}: still open after {LIMIT} s"
            ws.recv(timeout=left)  # a push before the close is fine
    except ConnectionClosed as exc:
        closed = exc
    except TimeoutError:
        pytest.fail(f"{kind}: still open after {LIMIT} s")
    now = time.monotonic()
    elapsed = (now - started) * 1000
    logger.info(
        f"[revocation, other process] {kind}: {elapsed:.1f} ms after the commit, "
        f"{(now - began) * 1000:.1f} ms from the start of the revoking call"
    )
    assert elapsed < LIMIT * 1000
    assert closed.rcvd is not None
    return closed.rcvd.code


def test_a_sign_out_here_closes_her_socket_in_another_process(other_process):
    alice, bea = UserFactory(), UserFactory()
    conversation = conversation_between(alice, bea)
    browser = _signed_in(alice)
    with _socket(other_process, browser) as ws:
        # The layer works across processes: a message stored here reaches her there.
        services.message_send(sender=bea, conversation_id=conversation.pk, text="hello")
        assert '"hello"' in ws.recv(timeout=5)
        began = time.monotonic()
        response = browser.post("/accounts/logout/")
        assert response.status_code == 302
        # The session is gone (committed) once the response is back.
        assert _closed_within(ws, time.monotonic(), "sign-out", began) == 4401


def test_a_ban_here_closes_her_socket_in_another_process(other_process):
    from sorority.accounts.services import user_set_status

    alice, bea = UserFactory(), UserFactory()
    conversation_between(alice, bea)
    browser = _signed_in(alice)
    with _socket(other_process, browser) as ws:
        ws.send('{"type": "other"}')  # the socket is up and served
        assert '"invalid"' in ws.recv(timeout=5)
        began = time.monotonic()
        user_set_status(user=alice, status=User.Status.BANNED, actor=bea)
        assert _closed_within(ws, time.monotonic(), "ban", began) in (4401, 4403)
