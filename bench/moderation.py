"""Moderation console benchmark: a scripted moderator deciding submissions by keyboard.

    .venv/bin/python bench/moderation.py            # 20 + 10 baseline, 12 MP photos
    .venv/bin/python bench/moderation.py --quick    # 6 + 3 baseline, 3 MP photos

A real server (uvicorn, as `make run`, DEBUG off) on a throw-away SQLite database and
vault folder; Debian's Chromium driven by Playwright.

* applicant side: one applicant goes through the live capture page with Chromium's
  fake camera (challenge → three stills → both sides → send), timed;
* the other submissions go through `submission_create` with generated photos
  (3 selfies + front + back, each unique), plus a backlog of small waiting ones so the
  queue page has the size of a busy day;
* the console: a moderator signed in with her second factor decides N submissions
  with the keyboard only (checklist j/space, transcription, a / r+digit / x+digit,
  Enter); the next one opens by itself;
* baseline, same run: the previous console's path — decision, back to the queue
  page, click "Claim" on the oldest, then the review page.

Printed: time per decision (p50/p95) — what the moderator waits after Enter until the
next case is on screen with every image loaded, and the whole scripted decision —
and the server time per step from the views' `Server-Timing` header (claim, page
render, each document fetch, decision) with the time to first byte seen by Chromium.
"""

from __future__ import annotations

import argparse
import atexit
import base64
import io
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WORK = tempfile.mkdtemp(prefix="sorority-bench-moderation-")
atexit.register(shutil.rmtree, WORK, ignore_errors=True)
ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DJANGO_DEBUG": "false",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
    "DATABASE_URL": f"sqlite:///{WORK}/bench.sqlite3",
    "VAULT_ROOT": f"{WORK}/vault",
    "VAULT_MASTER_KEYS": "1:" + base64.b64encode(os.urandom(32)).decode(),
    "IDENTITY_TAG_KEYS": "1:" + base64.b64encode(os.urandom(32)).decode(),
    "MODERATOR_ALLOW_TOTP": "true",
    "LOG_LEVEL": "WARNING",
}
os.environ.update(ENV)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from tests.e2e.chromium import CHROMIUM_FLAGS, CHROMIUM_PATH  # noqa: E402

PASSWORD = "bench-password-" + secrets.token_hex(4)
SECRET = base64.b32encode(os.urandom(20)).decode()  # her TOTP key, this run only
# Decisions of the scripted moderator, in turn: approve, new photos, refuse.
PLAN = [("a", None), ("a", None), ("r", "1"), ("a", None), ("x", "3")]
IMAGES_READY = (
    "() => [...document.querySelectorAll('.viewer-frame img')]"
    ".every(i => i.complete && i.naturalWidth > 0)"
)


def photo(width: int, height: int, seed: int) -> bytes:
    """A photo-like JPEG: smooth shapes plus fine grain."""
    noise = Image.effect_noise((width // 4, height // 4), 40 + seed).convert("RGB")
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    image = Image.blend(
        base, noise.resize((width, height), Image.Resampling.BICUBIC), 0.5
    )
    draw = ImageDraw.Draw(image)
    for i in range(12):
        x, y = (i * 331 + seed * 97) % width, (i * 211 + seed * 53) % height
        draw.ellipse(
            (x, y, x + width // 6, y + height // 6),
            fill=(40 * i % 255, 120, 200 - 10 * i),
        )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def line(label: str, samples: list[float], unit: str = "ms") -> str:
    if not samples:
        return f"  {label:<46} (no sample)"
    return (
        f"  {label:<46} p50 {statistics.median(samples):8.1f} {unit}   "
        f"p95 {pct(samples, 0.95):8.1f} {unit}   n={len(samples)}"
    )


def make_user(email: str, *, status: str, moderator: bool = False):
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP

    from sorority.accounts.models import RoleAssignment, User

    user = User.objects.create_user(
        email, PASSWORD, display_name=email.split("@")[0][:30]
    )
    user.status = status
    user.save(update_fields=["status"])
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if moderator:
        RoleAssignment.objects.create(user=user, role=RoleAssignment.Role.MODERATOR)
        TOTP.activate(user, SECRET)
    return user


def submit(user, images: list[bytes], salt: bytes) -> None:
    """One submission through the service; trailing bytes make every upload unique."""
    from sorority.verification import gestures
    from sorority.verification.models import VerificationChallenge, VerificationRequest
    from sorority.verification.services import Upload, session_hash, submission_create

    case = VerificationRequest.objects.create(user=user)
    challenge = VerificationChallenge.objects.create(
        user=user,
        request=case,
        session_hash=session_hash("bench"),
        pose=gestures.draw_pose(),
        code=gestures.draw_code(),
    )
    unique = [data + b"\x00" + salt + bytes([i]) for i, data in enumerate(images)]
    submission_create(
        user=user,
        session_key="bench",
        challenge_id=challenge.pk,
        selfies=[Upload(data, "selfie") for data in unique[:3]],
        id_front=Upload(unique[3], "id_front"),
        id_back=Upload(unique[4], "id_back"),
        declaration=True,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, **ENV},
    )
    atexit.register(server.terminate)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server
        except OSError:
            time.sleep(0.2)
    raise SystemExit("The server did not start.")


def server_timing(header: str | None) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in (header or "").split(","):
        name, _sep, rest = part.strip().partition(";")
        if name and "dur=" in rest:
            out[name] = float(rest.split("dur=")[1].split(";")[0])
    return out


class Recorder:
    """Collect each response's Server-Timing and time to first byte, by step."""

    def __init__(self, page) -> None:
        self.requests: list = []
        page.on("requestfinished", lambda request: self.requests.append(request))
        self.steps: dict[str, list[float]] = {}

    def add(self, step: str, value: float) -> None:
        self.steps.setdefault(step, []).append(value)

    def drain(self) -> None:
        for request in self.requests:
            response = request.response()
            if response is None:
                continue
            url, method = request.url, request.method
            timing = server_timing(response.headers.get("server-timing"))
            ttfb = request.timing["responseStart"] - request.timing["requestStart"]
            if "/documents/" in url:
                kind = "document"
            elif url.endswith("/decision/"):
                kind = "decision"
            elif url.endswith("/moderation/next/") or url.endswith("/claim/"):
                kind = "claim"
            elif url.endswith("/verification/moderation/") and method == "GET":
                kind = "queue page"
            elif "/verification/moderation/" in url and method == "GET":
                kind = "review page"
            else:
                continue
            self.add(f"{kind} ttfb", ttfb)
            for name, ms in timing.items():
                self.add(f"{kind} [{name}]", ms)
        self.requests.clear()


def sign_in(page, base: str, email: str, *, second_factor: bool) -> None:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").first.click()
    if second_factor:
        page.wait_for_url("**/2fa/**")
        page.fill(
            "input[name=code]",
            format_hotp_value(hotp_value(SECRET, int(time.time()) // 30)),
        )
        page.press("input[name=code]", "Enter")
        page.wait_for_url(lambda url: "/2fa/" not in url)
    else:
        page.wait_for_url(lambda url: "/login/" not in url)


def wait_ready(page) -> None:
    deadline = time.monotonic() + 60
    while not page.evaluate(IMAGES_READY):
        if time.monotonic() > deadline:
            raise SystemExit("The review page's images did not load.")
        page.wait_for_timeout(5)


def decide_by_keyboard(page, index: int, *, back_to_queue: bool = False) -> float:
    """Keys of one decision; returns the time of the final Enter (perf_counter)."""
    key, digit = PLAN[index % len(PLAN)]
    kb = page.keyboard
    if key == "a":
        for _ in range(6):
            kb.press("j")
            kb.press(" ")
        kb.press("t")
        kb.type("Martin")
        kb.press("Enter")
        kb.type("Anne Marie")
        kb.press("Enter")
        kb.type("31/01/1990")
        kb.press("Escape")
    if back_to_queue:
        kb.press("q")
    kb.press(key)
    if digit:
        kb.press(digit)
    enter = time.perf_counter()
    kb.press("Enter")
    return enter


def applicant_through_the_camera(browser, base: str, email: str) -> dict[str, float]:
    context = browser.new_context(locale="fr-FR", permissions=["camera"])
    page = context.new_page()
    sign_in(page, base, email, second_factor=False)
    page.goto(f"{base}/verification/")
    started = time.perf_counter()
    page.click("form[action='/verification/challenge/'] button[type=submit]")
    page.wait_for_url("**/verification/capture/")
    shown = time.perf_counter()
    take = page.locator("#take-photo")
    take.wait_for(state="visible")
    deadline = time.monotonic() + 30
    while not page.evaluate(
        "() => document.getElementById('camera-video').videoWidth > 0"
    ):
        if time.monotonic() > deadline:
            raise SystemExit("The fake camera did not start.")
        page.wait_for_timeout(20)
    thumbs = page.locator("#thumbs img")
    for count in range(1, 6):
        take.click()
        thumbs.nth(count - 1).wait_for(state="attached")
    page.check("#declaration")
    sent = time.perf_counter()
    with page.expect_response(
        lambda r: r.url.endswith("/verification/submit/")
    ) as info:
        page.click("#send")
    response = info.value
    page.wait_for_url("**/verification/status/")
    done = time.perf_counter()
    timing = response.request.timing
    context.close()
    return {
        "challenge to capture page": (shown - started) * 1000,
        "five live stills (scripted clicks)": (sent - shown) * 1000,
        "send: upload, checks, encryption (TTFB)": timing["responseStart"]
        - timing["requestStart"],
        "send to status page": (done - sent) * 1000,
        "whole applicant flow (scripted)": (done - started) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="6 + 3 decisions, 3 MP photos"
    )
    parser.add_argument(
        "-n", type=int, default=None, help="decisions with the new console"
    )
    parser.add_argument(
        "--baseline", type=int, default=None, help="decisions by the old path"
    )
    parser.add_argument("--backlog", type=int, default=None, help="small waiting cases")
    args = parser.parse_args()
    count = args.n or (6 if args.quick else 20)
    base_count = (
        args.baseline if args.baseline is not None else (3 if args.quick else 10)
    )
    backlog = args.backlog if args.backlog is not None else (50 if args.quick else 300)
    width, height = (2000, 1500) if args.quick else (4000, 3000)

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from sorority.accounts.models import User

    moderator = make_user(
        "moderatrice@example.org", status=User.Status.MEMBER, moderator=True
    )
    camera = make_user("camera@example.org", status=User.Status.APPLICANT)
    images = [photo(width, height, seed) for seed in range(5)]
    sizes = [len(data) / 1e6 for data in images]
    started = time.perf_counter()
    for index in range(count + base_count):
        user = make_user(f"candidate{index}@example.org", status=User.Status.APPLICANT)
        submit(user, images, index.to_bytes(4, "big"))
    small = [photo(320, 240, seed) for seed in range(5)]
    for index in range(backlog):
        user = make_user(f"waiting{index}@example.org", status=User.Status.APPLICANT)
        submit(user, small, (100_000 + index).to_bytes(4, "big"))
    print(
        f"Photos: 5 x {width}x{height} ({width * height / 1e6:.0f} MP), "
        f"{min(sizes):.1f}-{max(sizes):.1f} MB each; {count} + {base_count} submissions "
        f"and a backlog of {backlog} small ones prepared in {time.perf_counter() - started:.0f} s"
    )

    port = free_port()
    server = start_server(port)
    base = f"http://localhost:{port}"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH,
            args=CHROMIUM_FLAGS,
        )
        applicant = applicant_through_the_camera(browser, base, camera.email)
        context = browser.new_context(
            locale="fr-FR", viewport={"width": 1280, "height": 800}
        )
        page = context.new_page()
        sign_in(page, base, moderator.email, second_factor=True)
        page.goto(f"{base}/verification/moderation/")
        page.wait_for_load_state()
        recorder = Recorder(page)
        recorder.drain()

        # The new console: claim next, decide, the next one opens.
        waits, wholes = [], []
        page.keyboard.press("n")
        page.wait_for_url("**/verification/moderation/*-*/")
        wait_ready(page)
        for index in range(count):
            shown = time.perf_counter()
            url = page.url
            enter = decide_by_keyboard(page, index, back_to_queue=index == count - 1)
            page.wait_for_url(lambda u, old=url: u != old)
            if index < count - 1:
                wait_ready(page)
            else:
                page.wait_for_load_state()
            done = time.perf_counter()
            if index < count - 1:  # the last one goes back to the queue instead
                waits.append((done - enter) * 1000)
                wholes.append((done - shown) * 1000)
        recorder.drain()
        new_steps = recorder.steps
        recorder.steps = {}

        # Baseline: the previous console's path, through the queue page every time.
        old_waits, old_wholes = [], []
        for index in range(base_count):
            page.wait_for_url("**/verification/moderation/")
            claim = page.locator("form[action$='/claim/'] button").first
            shown = time.perf_counter()
            with page.expect_navigation():
                claim.click()
            wait_ready(page)
            ready = time.perf_counter()
            enter = decide_by_keyboard(page, index, back_to_queue=True)
            page.wait_for_url("**/verification/moderation/")
            page.wait_for_load_state()
            page.locator("form[action$='/claim/'] button").first.wait_for()
            queue_back = time.perf_counter()
            # What she waits: decision + queue page + claim + review page with images.
            old_waits.append((queue_back - enter + ready - shown) * 1000)
            old_wholes.append((queue_back - shown) * 1000)
        recorder.drain()
        old_steps = recorder.steps
        browser.close()
    server.terminate()

    from sorority.verification.models import EvidenceDocument, VerificationRequest

    decided = VerificationRequest.objects.filter(
        state__in=("approved", "rejected", "revision_requested")
    ).count()
    assert decided == count + base_count, decided
    assert not EvidenceDocument.objects.filter(
        request__state__in=("approved", "rejected", "revision_requested")
    ).exists()

    print("\nApplicant, live capture with Chromium's fake camera (one run):")
    for label, value in applicant.items():
        print(f"  {label:<46} {value:8.1f} ms")
    print(
        f"\nModerator, new console ({count} decisions by keyboard, next case opens by itself):"
    )
    print(line("wait after Enter until next case fully shown", waits))
    print(line("whole scripted decision (keys + wait)", wholes))
    for step in sorted(new_steps):
        print(line(f"server: {step}", new_steps[step]))
    print(
        f"\nBaseline, previous path ({base_count} decisions: decide, queue page, claim, review; "
        f"{backlog}+ cases waiting):"
    )
    print(line("wait after Enter until next case fully shown", old_waits))
    print(line("whole scripted decision (keys + wait)", old_wholes))
    for step in sorted(old_steps):
        print(line(f"server: {step}", old_steps[step]))
    ratio = statistics.median(old_waits) / statistics.median(waits)
    print(f"\nWait per decision, previous path / new console (p50): {ratio:.2f} x")


if __name__ == "__main__":
    main()
