"""Chat benchmark: N WebSocket clients on one uvicorn process, pairs exchanging messages.

    .venv/bin/python bench/chat.py                      # 1,000 clients, 60 s, in-memory layer
    .venv/bin/python bench/chat.py --clients 200 --seconds 10 --idle 1000   # quick run
    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/chat.py       # + Redis layer
    .venv/bin/python bench/chat.py --start-redis        # starts a loopback redis-server

What it does, all on 127.0.0.1 (no outside traffic), every loop bounded by a deadline:
1. Builds a throw-away SQLite database (migrations, N members signed in by session
   cookie, one conversation per pair) in a temporary folder.
2. Baseline, same run: a bare ASGI WebSocket relay (no Django, no database) served by
   the same uvicorn, same clients and rate: what the transport alone costs.
3. Starts uvicorn with the project's ASGI application (permessage-deflate off, see
   docs/performance.md), pinned to CPU 0 while the load generator runs on CPU 1.
4. Connects N clients (session cookie + Origin, through the real auth and origin checks),
   measures the server's RSS before and after: memory per connection.
5. Open-model load: each client sends `{"type":"send"}` at `--rate` messages per second
   with random phase (not waiting for replies). Each message is stored by the service,
   then pushed to both sides. Measured per message:
   - ack RTT: send -> the sender's `sent` acknowledgement (stored in the database);
   - delivery: send -> the peer receives the pushed `message`.
   Delivered/sent counts unique messages received by the peer after a drain period.
6. Idle sockets: connects clients up to `--idle` and reports the server RSS.
Then the same with the Redis layer (channels-redis pub/sub) when REDIS_URL is set.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

BENCH_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "bench-secret-key-not-for-production-0123456789abcdefghij",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "VAULT_MASTER_KEYS": "1:dmF1bHQtbWFzdGVyLWtleS1mb3ItdGVzdHMtb25seSE=",
    "IDENTITY_TAG_KEYS": "1:aWRlbnRpdHktdGFnLWtleS1mb3ItdGVzdHMtb25seSE=",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
}

SETTINGS_MODULE = textwrap.dedent(
    """
    from config.settings import *  # noqa: F403

    CHAT_MESSAGES_PER_MINUTE = 10**9  # the benchmark measures the server, not the limit
    SESSION_COOKIE_SECURE = False
    """
)

# A bare relay with the same message shapes: the transport baseline (no Django, no DB).
RELAY_MODULE = textwrap.dedent(
    """
    import json

    peers = {}

    async def app(scope, receive, send):
        if scope["type"] != "websocket":
            return
        me = int(scope["query_string"].decode().split("=")[1])
        while True:
            event = await receive()
            if event["type"] == "websocket.connect":
                peers[me] = send
                await send({"type": "websocket.accept"})
            elif event["type"] == "websocket.receive":
                data = json.loads(event["text"])
                ack = dict(data, type="sent", id=data["text"])
                await send({"type": "websocket.send", "text": json.dumps(ack)})
                push = dict(data, type="message", id=data["text"], sender=-1)
                text = json.dumps(push)
                await send({"type": "websocket.send", "text": text})
                other = peers.get(data["peer"])
                if other is not None:
                    await other({"type": "websocket.send", "text": text})
            else:
                peers.pop(me, None)
                return
    """
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


@dataclass
class Client:
    index: int
    user_id: int
    peer: int  # index of the other client of the pair
    conversation: int
    cookie: str
    ws: object = None
    sent_at: dict[str, float] = field(default_factory=dict)


@dataclass
class Result:
    label: str
    clients: int
    sent: int = 0
    acked: int = 0
    delivered: int = 0
    duplicates: int = 0
    ack_ms: list[float] = field(default_factory=list)
    delivery_ms: list[float] = field(default_factory=list)
    rss_before_kb: int = 0
    rss_after_kb: int = 0
    idle_sockets: int = 0
    idle_rss_kb: int = 0
    connect_s: float = 0.0
    errors: int = 0


# --- database set-up (in this process, with the bench settings) --------------------


def prepare_database(workdir: Path, people: int) -> list[dict]:
    """Migrate a fresh SQLite file; create members, sessions and one conversation per pair."""
    env = {**os.environ, **BENCH_ENV, **database_env(workdir)}
    env["DJANGO_SETTINGS_MODULE"] = "bench_chat_settings"
    env["PYTHONPATH"] = f"{workdir}{os.pathsep}{ROOT}"
    env.pop("REDIS_URL", None)
    subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [PYTHON, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
        check=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    sys.path[:0] = [str(workdir), str(ROOT)]
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import transaction

    from sorority.accounts.models import User
    from sorority.chat.models import Conversation, Participant

    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(
                    email=f"bench{i}@example.org",
                    display_name=f"Bench {i}",
                    status=User.Status.MEMBER,
                    password="!",  # noqa: S106 (unusable: sessions are made directly)
                )
                for i in range(people)
            ],
            batch_size=500,
        )
        users = list(User.objects.order_by("pk"))
        conversations = Conversation.objects.bulk_create(
            [
                Conversation(person_low=users[i], person_high=users[i + 1])
                for i in range(0, people - 1, 2)
            ],
            batch_size=500,
        )
        conversations = list(Conversation.objects.order_by("pk"))
        Participant.objects.bulk_create(
            [
                Participant(conversation=c, user_id=uid)
                for c in conversations
                for uid in (c.person_low_id, c.person_high_id)
            ],
            batch_size=500,
        )
    backend = next(
        b for b in settings.AUTHENTICATION_BACKENDS if "axes" not in b.lower()
    )
    rows = []
    for i, user in enumerate(users):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = backend
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        rows.append(
            {
                "user_id": user.pk,
                "cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}",
                "conversation": conversations[i // 2].pk
                if i // 2 < len(conversations)
                else 0,
            }
        )
    return rows


def database_env(workdir: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}"}


# --- the server ----------------------------------------------------------------------


@contextlib.contextmanager
def server(workdir: Path, app: str, *, redis_url: str | None):
    port = free_port()
    env = {**os.environ, **BENCH_ENV, **database_env(workdir)}
    env["DJANGO_SETTINGS_MODULE"] = "bench_chat_settings"
    env["PYTHONPATH"] = f"{workdir}{os.pathsep}{ROOT}"
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    command = [
        PYTHON, "-m", "uvicorn", app,
        "--host", "127.0.0.1", "--port", str(port),
        "--ws", "websockets-sansio", "--ws-per-message-deflate", "false",
        "--log-level", "warning", "--no-access-log", "--lifespan", "off",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=ROOT)  # noqa: S603
    with contextlib.suppress(OSError):
        os.sched_setaffinity(process.pid, {0})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        if process.poll() is not None:
            raise SystemExit(f"uvicorn exited with {process.returncode}")
        time.sleep(0.2)
    else:
        process.kill()
        raise SystemExit("uvicorn did not start within 60 s")
    try:
        yield process, port
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# --- clients -------------------------------------------------------------------------


async def open_socket(port: int, client: Client, *, relay: bool) -> object:
    import websockets

    path = f"/?me={client.index}" if relay else "/ws/chat/"
    return await websockets.connect(
        f"ws://127.0.0.1:{port}{path}",
        additional_headers={
            "Cookie": client.cookie,
            "Origin": f"http://127.0.0.1:{port}",
        },
        compression=None,
        open_timeout=60,
        ping_interval=None,
        max_queue=None,
    )


async def connect_all(
    port: int, clients: list[Client], *, relay: bool, batch: int = 100
) -> int:
    errors = 0
    for start in range(0, len(clients), batch):
        chunk = clients[start : start + batch]
        sockets = await asyncio.gather(
            *(open_socket(port, c, relay=relay) for c in chunk), return_exceptions=True
        )
        for c, ws in zip(chunk, sockets, strict=True):
            if isinstance(ws, BaseException):
                errors += 1
            else:
                c.ws = ws
    return errors


async def reader(
    client: Client, clients: list[Client], result: Result, seen: set, stop: float
) -> None:
    ws = client.ws
    while time.monotonic() < stop:
        try:
            raw = await asyncio.wait_for(
                ws.recv(), timeout=max(0.05, stop - time.monotonic())
            )
        except TimeoutError:
            continue
        except Exception:
            result.errors += 1
            return
        now = time.perf_counter()
        data = json.loads(raw)
        key = data.get("ref") or data.get("text")
        if data.get("type") == "sent":
            started = client.sent_at.get(key)
            if started is not None:
                result.acked += 1
                result.ack_ms.append((now - started) * 1000)
        elif data.get("type") == "message" and data.get("sender") != client.user_id:
            origin = clients[client.peer]
            started = origin.sent_at.get(data.get("text"))
            if started is None:
                continue
            if data["text"] in seen:
                result.duplicates += 1
                continue
            seen.add(data["text"])
            result.delivered += 1
            result.delivery_ms.append((now - started) * 1000)
        elif data.get("type") == "error":
            result.errors += 1


async def writer(
    client: Client,
    clients: list[Client],
    result: Result,
    rate: float,
    stop: float,
    relay: bool,
) -> None:
    interval = 1.0 / rate
    await asyncio.sleep(random.random() * interval)
    seq = 0
    next_at = time.monotonic()
    while time.monotonic() < stop:
        text = f"{client.index}:{seq}"
        payload = {
            "type": "send",
            "conversation": client.conversation,
            "text": text,
            "ref": text,
        }
        if relay:
            payload["peer"] = client.peer
        client.sent_at[text] = time.perf_counter()
        try:
            await client.ws.send(json.dumps(payload))
        except Exception:
            result.errors += 1
            return
        result.sent += 1
        seq += 1
        next_at += interval  # open model: the schedule does not wait for replies
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))


async def run_phase(
    label: str,
    port: int,
    pid: int,
    rows: list[dict],
    args: argparse.Namespace,
    *,
    relay: bool,
) -> Result:
    n = args.clients - args.clients % 2
    clients = [
        Client(
            index=i,
            user_id=rows[i]["user_id"],
            peer=i ^ 1,
            conversation=rows[i]["conversation"],
            cookie=rows[i]["cookie"],
        )
        for i in range(n)
    ]
    result = Result(label=label, clients=n)
    await asyncio.sleep(1.0)
    result.rss_before_kb = rss_kb(pid)
    started = time.monotonic()
    result.errors += await connect_all(port, clients, relay=relay)
    result.connect_s = time.monotonic() - started
    await asyncio.sleep(1.0)
    result.rss_after_kb = rss_kb(pid)
    live = [c for c in clients if c.ws is not None]
    seen: set[str] = set()
    stop_send = time.monotonic() + args.seconds
    stop_read = stop_send + args.drain
    readers = [
        asyncio.create_task(reader(c, clients, result, seen, stop_read)) for c in live
    ]
    writers = [
        asyncio.create_task(writer(c, clients, result, args.rate, stop_send, relay))
        for c in live
        if clients[c.peer].ws is not None
    ]
    await asyncio.gather(*writers)
    await asyncio.gather(*readers)
    if args.idle > n and not relay:
        extra = [
            Client(
                index=i,
                user_id=rows[i]["user_id"],
                peer=i ^ 1,
                conversation=rows[i]["conversation"],
                cookie=rows[i]["cookie"],
            )
            for i in range(n, args.idle)
        ]
        result.errors += await connect_all(port, extra, relay=False)
        await asyncio.sleep(2.0)
        result.idle_sockets = sum(1 for c in live + extra if c.ws is not None)
        result.idle_rss_kb = rss_kb(pid)
        await asyncio.gather(
            *(c.ws.close() for c in extra if c.ws is not None), return_exceptions=True
        )
    await asyncio.gather(*(c.ws.close() for c in live), return_exceptions=True)
    return result


def report(result: Result, baseline: Result | None) -> None:
    per_conn = (result.rss_after_kb - result.rss_before_kb) / max(1, result.clients)
    ratio = result.delivered / result.sent * 100 if result.sent else float("nan")
    print(f"\n== {result.label}: {result.clients} clients")
    print(f"  connected in {result.connect_s:.1f} s; errors {result.errors}")
    print(
        f"  sent {result.sent}, stored+acked {result.acked}, delivered to peer {result.delivered} "
        f"({ratio:.2f} %), duplicates {result.duplicates}"
    )
    for name, values in (
        ("ack RTT (stored)", result.ack_ms),
        ("delivery (send->peer)", result.delivery_ms),
    ):
        if values:
            print(
                f"  {name:<22} n={len(values):>7}  p50 {pct(values, 50):7.2f} ms  p95 {pct(values, 95):7.2f} ms  "
                f"p99 {pct(values, 99):7.2f} ms  mean {statistics.fmean(values):7.2f} ms"
            )
    print(
        f"  server RSS {result.rss_before_kb / 1024:.1f} MB -> {result.rss_after_kb / 1024:.1f} MB: "
        f"{per_conn:.1f} KB per connection"
    )
    if result.idle_sockets:
        print(
            f"  idle: {result.idle_sockets} sockets open, server RSS {result.idle_rss_kb / 1024:.1f} MB"
        )
    if baseline and baseline.delivery_ms and result.delivery_ms:
        print(
            f"  vs bare relay: delivery p50 x{pct(result.delivery_ms, 50) / pct(baseline.delivery_ms, 50):.1f}, "
            f"p99 x{pct(result.delivery_ms, 99) / pct(baseline.delivery_ms, 99):.1f}"
        )


def start_redis(workdir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("--start-redis: redis-server not found")
    process = subprocess.Popen(  # noqa: S603
        [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return process, f"redis://127.0.0.1:{port}/0"
        time.sleep(0.1)
    process.kill()
    raise SystemExit("redis-server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--rate", type=float, default=0.2, help="messages per second per client"
    )
    parser.add_argument(
        "--drain", type=float, default=5.0, help="seconds to wait for late pushes"
    )
    parser.add_argument(
        "--idle",
        type=int,
        default=5000,
        help="total sockets for the idle check (0: skip)",
    )
    parser.add_argument(
        "--start-redis", action="store_true", help="start a loopback redis-server"
    )
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    args.clients = max(2, args.clients)
    with contextlib.suppress(OSError):
        os.sched_setaffinity(0, {1})  # load generator on the other core
    workdir = Path(tempfile.mkdtemp(prefix="sorority-bench-chat-"))
    redis_process = None
    try:
        (workdir / "bench_chat_settings.py").write_text(SETTINGS_MODULE)
        (workdir / "bench_relay.py").write_text(RELAY_MODULE)
        people = max(args.clients, args.idle)
        print(f"Preparing {people} members and {args.clients // 2} conversations ...")
        rows = prepare_database(workdir, people)
        print(
            f"Load: {args.clients} clients, {args.rate} msg/s each "
            f"(~{args.clients * args.rate:.0f} msg/s), {args.seconds:.0f} s, open model"
        )
        baseline = None
        if not args.no_baseline:
            with server(workdir, "bench_relay:app", redis_url=None) as (process, port):
                baseline = asyncio.run(
                    run_phase(
                        "baseline: bare ASGI relay (no Django)",
                        port,
                        process.pid,
                        rows,
                        args,
                        relay=True,
                    )
                )
            report(baseline, None)
        with server(workdir, "config.asgi:application", redis_url=None) as (
            process,
            port,
        ):
            memory = asyncio.run(
                run_phase(
                    "Sorority chat, in-memory channel layer",
                    port,
                    process.pid,
                    rows,
                    args,
                    relay=False,
                )
            )
        report(memory, baseline)
        redis_url = os.environ.get("REDIS_URL")
        if not redis_url and args.start_redis:
            redis_process, redis_url = start_redis(workdir)
        if redis_url:
            with server(workdir, "config.asgi:application", redis_url=redis_url) as (
                process,
                port,
            ):
                redis = asyncio.run(
                    run_phase(
                        "Sorority chat, Redis channel layer",
                        port,
                        process.pid,
                        rows,
                        args,
                        relay=False,
                    )
                )
            report(redis, baseline)
            if memory.delivery_ms and redis.delivery_ms:
                print(
                    f"\nRedis / in-memory: delivery p99 x{pct(redis.delivery_ms, 99) / pct(memory.delivery_ms, 99):.2f}"
                )
        else:
            print(
                "\nREDIS_URL not set (or use --start-redis): Redis layer run skipped."
            )
        print(
            "\nTarget T6: p99 <= 50 ms at 1,000 clients with 100 % delivered; 5,000 idle sockets <= 300 MB."
        )
    finally:
        if redis_process is not None:
            redis_process.terminate()
            redis_process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
