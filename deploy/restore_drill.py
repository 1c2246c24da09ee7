"""Restore drill: seed, back up, wipe, restore, check (docs/operations.md).

Run against a scratch PostgreSQL database, never a live one:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sorority_drill \
        python deploy/restore_drill.py

It creates (and finally drops) the scratch database, seeds the demo, submits a
verification carrying a marker and decides it (documents shredded), leaves a second
one pending, writes a backup with `manage.py backup`, drops the schema, runs
`manage.py restore`, then checks row counts, a member journey through the test
client, and that neither the marker nor any wrapped key came back. Exit status 0
means the drill passed.
"""

from __future__ import annotations

import base64
import io
import os
import secrets
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _fail(message: str) -> None:
    print(f"restore drill FAILED: {message}")
    sys.exit(1)


def _create_database(url: str) -> None:
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name or name in {"postgres", "template0", "template1"}:
        _fail("DATABASE_URL must name a scratch database")
    env = {
        **os.environ,
        "PGHOST": parsed.hostname or "",
        "PGPORT": str(parsed.port or 5432),
        "PGUSER": parsed.username or "postgres",
    }
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    subprocess.run(["dropdb", "--if-exists", name], env=env, check=True)  # noqa: S603, S607
    subprocess.run(["createdb", name], env=env, check=True)  # noqa: S603, S607


def _drop_database(url: str) -> None:
    parsed = urlparse(url)
    env = {
        **os.environ,
        "PGHOST": parsed.hostname or "",
        "PGPORT": str(parsed.port or 5432),
        "PGUSER": parsed.username or "postgres",
    }
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    subprocess.run(  # noqa: S603
        ["dropdb", "--if-exists", parsed.path.lstrip("/")],  # noqa: S607
        env=env,
        check=False,
    )


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        _fail("set DATABASE_URL to a scratch PostgreSQL database")
    work = Path(tempfile.mkdtemp(prefix="sorority-drill-"))
    key = lambda: base64.b64encode(secrets.token_bytes(32)).decode()  # noqa: E731
    os.environ.update(
        {
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "VAULT_MASTER_KEYS": os.environ.get("VAULT_MASTER_KEYS") or f"1:{key()}",
            "IDENTITY_TAG_KEYS": os.environ.get("IDENTITY_TAG_KEYS") or f"1:{key()}",
            "BACKUP_KEYS": f"1:{key()}",
            "BACKUP_TARGET": f"file://{work / 'backups'}",
            "VAULT_ROOT": str(work / "vault"),
            "MEDIA_ROOT": str(work / "media"),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "REDIS_URL": "",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    _create_database(url)
    try:
        return _drill(work)
    finally:
        from django.db import connections

        connections.close_all()
        _drop_database(url)
        shutil.rmtree(work, ignore_errors=True)


def _drill(work: Path) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from sorority.accounts.models import User
    from sorority.chat.models import Message
    from sorority.core import backup
    from sorority.verification.models import EvidenceDocument, VerificationRequest

    setup_test_environment()  # locmem e-mail, the test client's host
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MODERATOR_ALLOW_TOTP = True
    # No collectstatic in the drill: plain static URLs instead of the manifest.
    from django.test.utils import override_settings

    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
            },
        }
    ).enable()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", output=str(work / "logins.json"), stdout=io.StringIO())

    # Two verifications carrying a marker: one decided (shredded), one left pending.
    from sorority.verification import services
    from sorority.verification.tests.conftest import upload
    from sorority.verification.tests.test_destruction import marked_photo, variants

    marker = f"SORORITY-DRILL-MARKER-{secrets.token_hex(8)}".encode()
    moderator = User.objects.filter(roles__role="moderator").first()
    cases = []
    for index in range(2):
        user = User.objects.create_user(
            email=f"drill{index}@example.org",
            password=secrets.token_urlsafe(16),
            display_name=f"Drill{index}",
            status=User.Status.APPLICANT,
        )
        client = Client()
        client.force_login(user)
        challenge = client.post("/api/v1/verification/challenge").json()["id"]
        data = {
            "declaration": "true",
            "challenge_id": challenge,
            "selfie": [upload(f"s{i}", marked_photo(marker, i)) for i in range(3)],
            "id_front": upload("front", marked_photo(marker, 7)),
            "id_back": upload("back", marked_photo(marker, 8)),
        }
        response = client.post("/api/v1/verification/submission", data)
        if response.status_code != 201:
            _fail(f"submission refused: {response.status_code}")
        cases.append(VerificationRequest.objects.get(user=user))
    decided, pending = cases
    if moderator is None:
        _fail("the demo has no moderator")
    from conftest import sign_in  # the suite's sign-in with a second factor

    mod_client = sign_in(Client(), moderator, second_factor=True)
    base = f"/api/v1/moderation/verifications/{decided.pk}"
    if mod_client.post(f"{base}/claim").status_code != 200:
        _fail("the moderator cannot claim the case")
    decision = {
        "decision": "refuse",
        "reason": "blurry",
        "checklist": dict.fromkeys(services.CHECKLIST, True),
        "family_name": "Drill",
        "given_names": "Zed",
        "birth_date": "1987-06-05",
    }
    response = mod_client.post(
        f"{base}/decision", decision, content_type="application/json"
    )
    if response.status_code != 200:
        _fail(f"the decision was refused: {response.status_code}")
    if EvidenceDocument.objects.filter(request_id=decided.pk).exists():
        _fail("the decided case still has documents before the backup")

    counts = {
        "users": User.objects.count(),
        "messages": Message.objects.count(),
        "cases": VerificationRequest.objects.count(),
    }
    waiting = VerificationRequest.objects.filter(
        state__in=["submitted", "in_review"]
    ).count()
    out = io.StringIO()
    call_command("backup", stdout=out)
    print(out.getvalue().strip())
    [name] = backup.target().names()
    path = backup.target().folder / name
    plain = io.BytesIO()
    with path.open("rb") as src:
        backup.decrypt_stream(src, plain, settings.BACKUP_KEYS)
    blob = plain.getvalue()
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        for member in tar.getmembers():
            if member.isfile():
                blob += tar.extractfile(member).read()
    for variant in variants(marker):
        if variant in blob:
            _fail("a document marker is inside the backup")

    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")
    mail.outbox = []
    out = io.StringIO()
    call_command("restore", str(path), stdout=out)
    print(out.getvalue().strip())

    after = {
        "users": User.objects.count(),
        "messages": Message.objects.count(),
        "cases": VerificationRequest.objects.count(),
    }
    if after != counts:
        _fail(f"row counts differ: {counts} -> {after}")
    if EvidenceDocument.objects.exists():
        _fail("document rows came back")
    if VerificationRequest.objects.exclude(wrapped_dek=None).exists():
        _fail("a wrapped key came back")
    if VerificationRequest.objects.get(pk=pending.pk).state != "revision_requested":
        _fail("the pending case was not reopened")
    if len(mail.outbox) != waiting:
        _fail(f"expected {waiting} neutral notice(s), got {len(mail.outbox)}")

    member = User.objects.filter(status=User.Status.MEMBER, roles__isnull=True).first()
    client = Client()
    client.force_login(member)
    for path_ in ("/", "/api/v1/conversations", "/api/v1/search/support"):
        status = client.get(path_).status_code
        if status >= 400 and not (path_.startswith("/api/v1/search") and status == 400):
            _fail(f"GET {path_} answered {status} after the restore")
    conversations = client.get("/api/v1/conversations").json()
    for item in conversations[:1]:
        if (
            client.get(f"/api/v1/conversations/{item['id']}/messages").status_code
            != 200
        ):
            _fail("a conversation cannot be read after the restore")
    print(f"restore drill passed: {after}, {len(conversations)} conversation(s) read")
    return 0


if __name__ == "__main__":
    sys.exit(main())
