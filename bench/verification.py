"""Verification benchmark: accepting and shredding one submission of 12 MP photos.

    .venv/bin/python bench/verification.py             # 5 rounds, 4000x3000 photos
    .venv/bin/python bench/verification.py --quick     # 2 rounds, 2000x1500 photos

One submission = 3 selfie stills + document front + back. Measured in the same run:

* baseline: decoding the same five JPEGs fully with Pillow (`Image.open().load()`),
  nothing else;
* accept: `submission_create` end to end — challenge checks, magic bytes and
  decompression-bomb checks, full decode (libjpeg DCT scaling), EXIF transpose,
  re-encode to a clean JPEG, AES-256-GCM under a fresh per-submission key wrapped
  by the master key, write of the ciphertexts to the vault storage (local folder),
  database rows and audit chain;
* shred: `verification_withdraw` — state change, then on commit the crypto-shredding
  (wrapped key deleted, document rows and every stored object deleted, purge audit
  row, deletion receipt).

Everything runs in a throw-away SQLite database and vault folder in a temp directory.
"""

from __future__ import annotations

import argparse
import atexit
import base64
import io
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WORK = tempfile.mkdtemp(prefix="sorority-bench-verification-")
atexit.register(shutil.rmtree, WORK, ignore_errors=True)
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": f"sqlite:///{WORK}/bench.sqlite3",
        "VAULT_ROOT": f"{WORK}/vault",
        "VAULT_MASTER_KEYS": "1:" + base64.b64encode(os.urandom(32)).decode(),
        "IDENTITY_TAG_KEYS": "1:" + base64.b64encode(os.urandom(32)).decode(),
        "LOG_LEVEL": "WARNING",
    }
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402


def photo(width: int, height: int, seed: int) -> bytes:
    """A photo-like JPEG: smooth shapes plus fine grain (about 2-4 MB at 12 MP)."""
    rng_noise = Image.effect_noise((width // 4, height // 4), 40 + seed).convert("RGB")
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    image = Image.blend(base, rng_noise.resize((width, height), Image.Resampling.BICUBIC), 0.5)
    draw = ImageDraw.Draw(image)
    for i in range(12):
        x, y = (i * 331 + seed * 97) % width, (i * 211 + seed * 53) % height
        draw.ellipse((x, y, x + width // 6, y + height // 6), fill=(40 * i % 255, 120, 200 - 10 * i))
    grain = Image.effect_noise((width, height), 12).convert("RGB")
    image = Image.blend(image, grain, 0.15)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:8.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 rounds of 3 MP photos")
    parser.add_argument("--rounds", type=int, default=None)
    args = parser.parse_args()
    rounds = args.rounds or (2 if args.quick else 5)
    width, height = (2000, 1500) if args.quick else (4000, 3000)

    call_command("migrate", verbosity=0)
    from sorority.accounts.models import User
    from sorority.verification import gestures, vault
    from sorority.verification.models import VerificationChallenge, VerificationRequest
    from sorority.verification.services import (
        Upload,
        session_hash,
        submission_create,
        verification_withdraw,
    )

    user = User.objects.create_user("bench@example.org", "x" * 12, display_name="Bench")
    images = [photo(width, height, seed) for seed in range(5)]
    sizes = [len(data) / 1e6 for data in images]
    print(f"Photos: 5 x {width}x{height} ({width * height / 1e6:.0f} MP), "
          f"{min(sizes):.1f}-{max(sizes):.1f} MB each, {sum(sizes):.1f} MB in total")

    from sorority.verification.imaging import sanitize_image

    decode, sanitize, accept, shred = [], [], [], []
    for _round in range(rounds):
        started = time.perf_counter()
        for data in images:
            with Image.open(io.BytesIO(data)) as img:
                img.load()
        decode.append(time.perf_counter() - started)
        started = time.perf_counter()
        for data in images:
            sanitize_image(data)
        sanitize.append(time.perf_counter() - started)

        user.status = User.Status.APPLICANT
        user.save(update_fields=["status"])
        case = VerificationRequest.objects.create(user=user)
        challenge = VerificationChallenge.objects.create(
            user=user, request=case, session_hash=session_hash("bench"),
            pose=gestures.draw_pose(), code=gestures.draw_code(),
        )
        started = time.perf_counter()
        submission_create(
            user=user,
            session_key="bench",
            challenge_id=challenge.pk,
            selfies=[Upload(data, "selfie") for data in images[:3]],
            id_front=Upload(images[3], "id_front"),
            id_back=Upload(images[4], "id_back"),
            declaration=True,
        )
        accept.append(time.perf_counter() - started)
        stored = sum(
            vault.storage().size(name)
            for name in case.documents.values_list("storage_name", flat=True)
        )

        started = time.perf_counter()
        verification_withdraw(user=user)  # the purge runs on commit, inside this call
        shred.append(time.perf_counter() - started)
        assert not vault.list_folder(vault.folder(str(case.pk)))[1]

    print(f"Rounds: {rounds} (medians below); stored ciphertext per submission: "
          f"{stored / 1e6:.2f} MB")
    print(f"  baseline  Pillow full decode of the 5 photos  {median_ms(decode)}")
    print(f"  accept    validate+re-encode+encrypt+store     {median_ms(accept)}"
          f"   = {statistics.median(accept) / statistics.median(decode):.2f} x baseline")
    print(f"    of which sanitize_image alone (5 photos)     {median_ms(sanitize)}")
    print(f"  shred     key+rows+objects deleted, audited    {median_ms(shred)}"
          f"   = {statistics.median(shred) / statistics.median(decode):.3f} x baseline")


if __name__ == "__main__":
    main()
