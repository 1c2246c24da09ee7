#!/usr/bin/env python3
"""Smoke journey THROUGH THE PROXY of `make prod-local` (or any deployment you point it at).

    python deploy/smoke.py [--base https://localhost:8443] [--run-dir var/prod-local]

Every HTTP request and the WebSockets go to the proxy (caddy); nothing calls a Django
function. Steps: health and readiness; a hashed static file (long cache, compressed);
sign-up on the app API (allauth headless) and the e-mail code read from the file
e-mail backend; a verification submission (challenge + generated photos); a moderator
signs in with her password and TOTP second factor, claims the case and approves it;
the approval e-mail is delivered by the task worker (a row of django-tasks' database
backend, run by a worker, and the e-mail found after it); a safe-place search; a chat
message sent over `/ws/` by one member and pushed to the other's socket.

The moderator and the demo member come from `manage.py seed_demo`
(<run-dir>/demo-accounts.json). Reading the task table needs the deployment's
environment (<run-dir>/env; `make prod-local` writes it). Exit 0 when every step passed.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import io
import json
import os
import re
import secrets
import ssl
import string
import struct
import sys
import time
from base64 import b32decode
from datetime import UTC, datetime
from email import message_from_string
from pathlib import Path
from urllib.parse import urlparse

import requests
import websockets
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
APP = "/_allauth/app/v1"
PASSWORD = "smoke-" + secrets.token_urlsafe(12)
CHECKLIST = (
    "gesture_correct",
    "code_correct",
    "same_person",
    "document_physical",
    "document_not_expired",
    "identity_transcribed",
)


class SmokeError(RuntimeError):
    pass


def step(name: str) -> None:
    print(f"-- {name}", flush=True)


def expect(
    response: requests.Response, status: int | tuple[int, ...], what: str
) -> dict:
    wanted = (status,) if isinstance(status, int) else status
    if response.status_code not in wanted:
        raise SmokeError(f"{what}: HTTP {response.status_code}: {response.text[:300]}")
    try:
        return response.json()
    except ValueError:
        return {}


def totp(secret: str, *, at: float | None = None) -> str:
    counter = int((time.time() if at is None else at) // 30)
    key = b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**6
    return f"{value:06d}"


def photo(seed: int) -> bytes:
    """A drawn picture (no real person), as the verification tests make them."""
    image = Image.new("RGB", (320, 240), ((seed * 37) % 256, 120, 200))
    draw = ImageDraw.Draw(image)
    draw.ellipse((80, 40, 240, 200), fill=(230, 190, 160))
    draw.text((10, 10), f"#{seed} {secrets.token_hex(4)}", fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


class Mailbox:
    """The file e-mail backend's folder: one file per connection, messages inside."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def messages_to(self, address: str) -> list[tuple[float, str]]:
        found = []
        for path in sorted(self.folder.glob("*.log")):
            text = path.read_text(errors="replace")
            for chunk in re.split(r"\n-{79}\n", text):
                if address in chunk:
                    message = message_from_string(chunk.strip())
                    body = message.get_payload(decode=False)
                    if message.is_multipart():
                        body = "\n".join(str(p.get_payload()) for p in message.walk())
                    found.append(
                        (path.stat().st_mtime, str(message["Subject"]) + "\n" + body)
                    )
        return found

    def wait(self, address: str, *, count: int, timeout: float = 30.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.messages_to(address)
            if len(found) >= count:
                return [body for _, body in found]
            time.sleep(0.3)
        raise SmokeError(
            f"no e-mail #{count} for the smoke account within {timeout:.0f} s"
        )


def read_env(path: Path) -> None:
    if not path.is_file():
        return
    for line in path.read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            name, _, value = line.partition("=")
            os.environ[name] = value  # the deployment's own settings win


def task_rows_since(since: datetime) -> list[dict]:
    """Rows of django-tasks' database backend enqueued since `since` (the worker's table)."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django_tasks_db.models import DBTaskResult

    return list(
        DBTaskResult.objects.filter(enqueued_at__gte=since).values(
            "task_path", "status", "worker_ids", "finished_at"
        )
    )


class Smoke:
    def __init__(self, base: str, run_dir: Path, health: tuple[str, str]) -> None:
        self.base = base.rstrip("/")
        self.run_dir = run_dir
        self.health = health
        ca = (
            run_dir
            / "caddy-data"
            / "caddy"
            / "pki"
            / "authorities"
            / "local"
            / "root.crt"
        )
        self.verify: str | bool = str(ca) if ca.is_file() else True
        self.mailbox = Mailbox(
            Path(os.environ.get("EMAIL_FILE_PATH") or run_dir / "mail")
        )
        self.http = requests.Session()

    def url(self, path: str) -> str:
        return self.base + path

    def get(
        self, path: str, token: str | None = None, **kw: object
    ) -> requests.Response:
        headers = {"X-Session-Token": token} if token else {}
        return self.http.get(
            self.url(path), headers=headers, verify=self.verify, timeout=30, **kw
        )

    def post(
        self, path: str, token: str | None = None, **kw: object
    ) -> requests.Response:
        headers = {"X-Session-Token": token} if token else {}
        return self.http.post(
            self.url(path), headers=headers, verify=self.verify, timeout=60, **kw
        )

    # -- steps ------------------------------------------------------------------------
    def health_and_static(self) -> None:
        step("health and readiness through the proxy")
        for path in self.health:
            response = self.get(path)
            expect(response, 200, f"GET {path}")
        step("a hashed static file: long cache, compressed")
        page = self.get("/")
        expect(page, 200, "GET /")
        match = re.search(r'/static/[^"\']+\.[0-9a-f]{12}\.(?:css|js)', page.text)
        if not match:
            raise SmokeError("no hashed static file named on the landing page")
        response = self.http.get(
            self.url(match.group(0)),
            headers={"Accept-Encoding": "gzip, zstd"},
            verify=self.verify,
            timeout=30,
            stream=True,
        )
        expect(response, 200, f"GET {match.group(0)}")
        if "immutable" not in response.headers.get("Cache-Control", ""):
            raise SmokeError(
                f"static cache header: {response.headers.get('Cache-Control')}"
            )
        if response.headers.get("Content-Encoding") not in ("gzip", "zstd", "br"):
            raise SmokeError("static file not compressed")

    def sign_up(self) -> tuple[str, str, str]:
        step("sign-up on the app API, e-mail code from the file backend")
        email = f"smoke-{secrets.token_hex(6)}@example.org"
        name = f"Smoke {secrets.token_hex(3)}"
        response = self.post(
            f"{APP}/auth/signup",
            json={
                "email": email,
                "password": PASSWORD,
                "display_name": name,
                "consent": True,
            },
        )
        data = expect(response, 401, "sign-up")
        token = data["meta"]["session_token"]
        body = self.mailbox.wait(email, count=1)[-1]
        found = re.search(
            r"^\s*([A-Z0-9]{4}-?[A-Z0-9]{4}|[A-Z0-9]{6})\s*$", body, re.MULTILINE
        )
        if not found:
            raise SmokeError("no confirmation code in the e-mail")
        data = expect(
            self.post(f"{APP}/auth/email/verify", token, json={"key": found.group(1)}),
            200,
            "e-mail confirmation",
        )
        token = data["meta"]["session_token"]
        me = expect(self.get("/api/v1/me", token), 200, "GET /api/v1/me")
        if me["status"] != "applicant":
            raise SmokeError(f"new account status {me['status']!r}")
        return email, name, token

    def submit_verification(self, token: str) -> None:
        step("verification: challenge and photos")
        challenge = expect(
            self.post("/api/v1/verification/challenge", token), 201, "challenge"
        )
        files = [("selfie", (f"s{i}.jpg", photo(i), "image/jpeg")) for i in range(3)]
        files += [
            ("id_front", ("front.jpg", photo(10), "image/jpeg")),
            ("id_back", ("back.jpg", photo(11), "image/jpeg")),
        ]
        response = self.post(
            "/api/v1/verification/submission",
            token,
            data={"challenge_id": challenge["id"], "declaration": "true"},
            files=files,
        )
        expect(response, 201, "submission")

    def moderator_token(self, login: dict) -> str:
        step("moderator: password, then TOTP second factor")
        for attempt in range(2):
            data = expect(
                self.post(
                    f"{APP}/auth/login",
                    json={"email": login["email"], "password": login["password"]},
                ),
                401,
                "moderator login",
            )
            token = data["meta"]["session_token"]
            response = self.post(
                f"{APP}/auth/2fa/authenticate",
                token,
                json={"code": totp(login["totp_secret"])},
            )
            if response.status_code == 200:
                return response.json()["meta"]["session_token"]
            if attempt == 0:  # a code is single use: wait for the next one
                time.sleep(30 - time.time() % 30 + 1)
        raise SmokeError(f"second factor refused: {response.text[:300]}")

    def approve(self, mod: str, display_name: str) -> None:
        step("moderator claims and approves the case")
        queue = expect(self.get("/api/v1/moderation/verifications", mod), 200, "queue")
        case = next((c for c in queue if c["display_name"] == display_name), None)
        if case is None:
            raise SmokeError("the submission is not in the moderation queue")
        expect(
            self.post(f"/api/v1/moderation/verifications/{case['id']}/claim", mod),
            (200, 201, 204),
            "claim",
        )
        detail = expect(
            self.get(f"/api/v1/moderation/verifications/{case['id']}", mod), 200, "case"
        )
        image = self.get(
            f"/api/v1/moderation/verifications/{case['id']}/documents/{detail['documents'][0]}",
            mod,
        )
        if (
            image.status_code != 200
            or image.headers.get("Content-Type") != "image/jpeg"
        ):
            raise SmokeError(f"document view: HTTP {image.status_code}")
        decision = {
            "decision": "approve",
            "family_name": "Smoke",
            "given_names": "".join(
                secrets.choice(string.ascii_lowercase) for _ in range(10)
            ).title(),  # letters only: names hold no digit
            "birth_date": "1990-01-01",
            "checklist": dict.fromkeys(CHECKLIST, True),
        }
        data = expect(
            self.post(
                f"/api/v1/moderation/verifications/{case['id']}/decision",
                mod,
                json=decision,
            ),
            200,
            "decision",
        )
        if data.get("outcome") not in ("approve", "approved"):
            raise SmokeError(f"decision outcome {data}")

    def approval_mail_by_worker(self, email: str, since: datetime) -> None:
        step("the approval e-mail, sent by the task worker")
        self.mailbox.wait(email, count=2, timeout=60)
        rows = task_rows_since(since)
        done = [r for r in rows if r["status"] == "SUCCESSFUL" and r["worker_ids"]]
        if not done:
            raise SmokeError(
                "no task enqueued since the approval was run by a worker "
                f"(task rows: {[(r['task_path'], r['status']) for r in rows]})"
            )
        print(
            f"   {len(done)} task(s) run by the worker: {sorted({r['task_path'] for r in done})}"
        )

    def search(self, token: str) -> None:
        step("a member's safe-place search")
        me = expect(self.get("/api/v1/verification", token), 200, "verification status")
        if me["status"] != "approved":
            raise SmokeError(f"verification status {me['status']!r} after approval")
        places = expect(
            self.get("/api/v1/places", token, params={"q": "Bordeaux"}), 200, "places"
        )
        if not places:
            raise SmokeError("gazetteer returned no commune for Bordeaux")
        found = expect(
            self.get(
                "/api/v1/search/safe-places", token, params={"place": places[0]["code"]}
            ),
            200,
            "search",
        )
        if not found.get("results"):
            raise SmokeError("the search found no safe place (seed_demo has hosts)")
        print(
            f"   {len(found['results'])} safe place(s), nearest {found['results'][0]['distance_km']} km"
        )

    async def chat(self, token: str, other: dict) -> None:
        step("chat over /ws/: a message sent on one socket is pushed to the other")
        data = expect(
            self.post(
                f"{APP}/auth/login",
                json={"email": other["email"], "password": other["password"]},
            ),
            200,
            "demo member login",
        )
        other_token = data["meta"]["session_token"]
        other_id = expect(self.get("/api/v1/me", other_token), 200, "me")["id"]
        started = expect(
            self.post(
                "/api/v1/conversations",
                token,
                json={"member_id": other_id, "text": "Bonjour"},
            ),
            201,
            "conversation",
        )
        parsed = urlparse(self.base)
        ws_url = (
            f"{'wss' if parsed.scheme == 'https' else 'ws'}://{parsed.netloc}/ws/chat/"
        )
        context = None
        if parsed.scheme == "https":
            context = ssl.create_default_context(
                cafile=self.verify if isinstance(self.verify, str) else None
            )
        text = f"smoke {secrets.token_hex(4)}"
        async with (
            websockets.connect(
                ws_url, ssl=context, additional_headers={"X-Session-Token": other_token}
            ) as receiver,
            websockets.connect(
                ws_url, ssl=context, additional_headers={"X-Session-Token": token}
            ) as sender,
        ):
            await asyncio.sleep(0.3)  # both sockets subscribed
            await sender.send(
                json.dumps(
                    {
                        "type": "send",
                        "conversation": started["id"],
                        "text": text,
                        "ref": 1,
                    }
                )
            )
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                frame = json.loads(
                    await asyncio.wait_for(receiver.recv(), deadline - time.monotonic())
                )
                if frame.get("type") == "message" and frame.get("text") == text:
                    print("   delivered across the proxy")
                    return
            raise SmokeError("the message was not pushed to the other member's socket")

    def run(self) -> None:
        accounts = json.loads((self.run_dir / "demo-accounts.json").read_text())
        moderator = next(a for a in accounts if a["role"] == "moderator")
        member = next(a for a in accounts if a["role"] == "member")
        self.health_and_static()
        email, name, token = self.sign_up()
        self.submit_verification(token)
        mod = self.moderator_token(moderator)
        since = datetime.now(UTC)
        self.approve(mod, name)
        self.approval_mail_by_worker(email, since)
        self.search(token)
        asyncio.run(self.chat(token, member))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=os.environ.get("SMOKE_BASE", ""))
    parser.add_argument("--run-dir", default=str(ROOT / "var" / "prod-local"))
    parser.add_argument(
        "--health",
        default=os.environ.get("SMOKE_HEALTH", "/healthz,/readyz"),
        help="comma-separated paths that must answer 200",
    )
    args = parser.parse_args()
    run_dir = Path(args.run_dir)
    read_env(run_dir / "env")
    base = (
        args.base
        or f"https://{os.environ.get('SORORITY_SITE_ADDRESS', 'localhost:8443')}"
    )
    started = time.monotonic()
    try:
        Smoke(base, run_dir, tuple(p for p in args.health.split(",") if p)).run()
    except (SmokeError, requests.RequestException, OSError, TimeoutError) as exc:
        print(f"SMOKE FAILED: {exc}", file=sys.stderr)
        return 1
    print(f"Smoke journey passed through {base} in {time.monotonic() - started:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
