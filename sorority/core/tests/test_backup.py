"""Backups: encrypted, without identity documents or keys, and a restore drill.

The drill (PostgreSQL): seed members, a conversation and two verification cases
(one decided and shredded, one still pending), back up, wipe the schema, restore,
then the member journey works and no document, wrapped key or marker came back.
"""

import base64
import io
import tarfile
import uuid

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from conftest import sign_in
from sorority.accounts.models import User
from sorority.accounts.tests.factories import UserFactory
from sorority.chat.tests.factories import conversation_between, message_in
from sorority.core import backup
from sorority.places.tests.factories import located_member
from sorority.verification.audit import verify_chain
from sorority.verification.models import (
    AuditEntry,
    EvidenceDocument,
    VerificationRequest,
)
from sorority.verification.tests.conftest import form_data, upload
from sorority.verification.tests.test_destruction import (
    BASE,
    marked_photo,
    review,
    variants,
)

KEY = base64.b64encode(b"backup-key-for-the-tests-only-!!").decode()
LYON = "69123"


@pytest.fixture
def backup_settings(settings, tmp_path):
    settings.BACKUP_KEYS = {1: base64.b64decode(KEY)}
    settings.BACKUP_TARGET = f"file://{tmp_path / 'backups'}"
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def decrypted(path) -> bytes:
    out = io.BytesIO()
    with path.open("rb") as src:
        backup.decrypt_stream(src, out, {1: base64.b64decode(KEY)})
    return out.getvalue()


def archive_bytes(plain: bytes) -> bytes:
    """Every member of the decrypted tar, concatenated (the dump is compressed)."""
    blob = plain
    with tarfile.open(fileobj=io.BytesIO(plain)) as tar:
        for member in tar.getmembers():
            if member.isfile():
                blob += tar.extractfile(member).read()
    return blob


def submit_marked(client: Client, marker: bytes) -> VerificationRequest:
    challenge = client.post("/api/v1/verification/challenge").json()["id"]
    data = form_data(challenge)
    data["selfie"] = [upload(f"s{i}", marked_photo(marker, i)) for i in range(3)]
    data["id_front"] = upload("front", marked_photo(marker, 7))
    data["id_back"] = upload("back", marked_photo(marker, 8))
    assert client.post("/api/v1/verification/submission", data).status_code == 201
    return VerificationRequest.objects.filter(user__email=client.email).get()


# --------------------------------------------------------------------------
# The envelope
# --------------------------------------------------------------------------


def test_envelope_round_trip_and_tamper_detection():
    keyring = {1: b"k" * 32, 2: b"m" * 32}
    plain = b"x" * (backup.CHUNK * 2 + 17)
    sealed = io.BytesIO()
    backup.encrypt_stream(io.BytesIO(plain), sealed, keyring)
    blob = sealed.getvalue()
    assert b"xxxxxxxx" not in blob
    assert blob[8:10] == b"\x00\x02"  # the newest key version is used
    out = io.BytesIO()
    backup.decrypt_stream(io.BytesIO(blob), out, keyring)
    assert out.getvalue() == plain
    with pytest.raises(backup.BackupError, match="not in BACKUP_KEYS"):
        backup.decrypt_stream(io.BytesIO(blob), io.BytesIO(), {1: b"k" * 32})
    flipped = bytearray(blob)
    flipped[100] ^= 1
    with pytest.raises(backup.BackupError, match="damaged"):
        backup.decrypt_stream(io.BytesIO(bytes(flipped)), io.BytesIO(), keyring)
    # Dropping the last chunk is detected, not taken as the end.
    first_len = int.from_bytes(blob[34:38], "big")
    truncated = blob[: 38 + first_len]
    with pytest.raises(backup.BackupError, match="truncated"):
        backup.decrypt_stream(io.BytesIO(truncated), io.BytesIO(), keyring)


def test_backup_refuses_without_keys_and_restore_refuses_unknown_files(
    settings, backup_settings, db
):
    settings.BACKUP_KEYS = {}
    with pytest.raises(CommandError, match="BACKUP_KEYS"):
        call_command("backup")
    settings.BACKUP_KEYS = {1: base64.b64decode(KEY)}
    bogus = backup_settings / "bogus.sbk"
    bogus.write_bytes(b"not a backup")
    with pytest.raises(CommandError, match="Not a Sorority backup"):
        call_command("restore", str(bogus))
    settings.BACKUP_TARGET = "s3://bucket/prefix"
    with pytest.raises(CommandError, match="BACKUP_TARGET"):
        call_command("backup")


def test_retention_prunes_old_backups_but_keeps_the_newest(
    backup_settings, transactional_db
):
    import datetime

    from django.utils import timezone

    now = timezone.now()
    old = backup.backup_create(now=now - datetime.timedelta(days=40))
    recent = backup.backup_create(now=now - datetime.timedelta(days=2))
    assert backup.prune(now=now, keep_days=30) == [old.name]
    assert not old.exists()
    assert recent.exists()
    assert backup.prune(now=now, keep_days=0) == []  # the newest always stays


# --------------------------------------------------------------------------
# What a backup holds (both databases)
# --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_backup_holds_no_document_no_wrapped_key_and_no_session(
    backup_settings, moderator_client, django_capture_on_commit_callbacks
):
    marker = f"SORORITY-MARKER-{uuid.uuid4().hex}".encode()
    pending_marker = f"SORORITY-MARKER-{uuid.uuid4().hex}".encode()
    decided_user = UserFactory(status=User.Status.APPLICANT)
    decided_client = sign_in(Client(), decided_user)
    decided_client.email = decided_user.email
    decided = submit_marked(decided_client, marker)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            review(moderator_client, decided, "Qzxname", "approve").status_code == 200
        )
    pending_user = UserFactory(status=User.Status.APPLICANT)
    pending_client = sign_in(Client(), pending_user)
    pending_client.email = pending_user.email
    pending = submit_marked(pending_client, pending_marker)
    pending.refresh_from_db()
    wrapped = bytes(pending.wrapped_dek)
    names = list(EvidenceDocument.objects.values_list("storage_name", flat=True))
    assert len(names) == 5
    (backup_settings / "media").mkdir()
    (backup_settings / "media" / "kept.txt").write_bytes(b"kept media file")

    call_command("backup", stdout=io.StringIO())
    [name] = backup.target().names()
    path = backup.target().folder / name
    raw = path.read_bytes()
    assert b"kept media file" not in raw  # encrypted
    plain = decrypted(path)
    blob = archive_bytes(plain)
    assert b"kept media file" in blob
    for secret in (marker, pending_marker, wrapped, *(n.encode() for n in names)):
        for variant in variants(secret):
            assert variant not in blob, secret
    session_key = pending_client.cookies["sessionid"].value.encode()
    assert session_key not in blob
    for key in (
        b"backup-key-for-the-tests-only-!!",
        b"vault-master-key-for-tests-only!",
    ):
        assert key not in blob
        assert base64.b64encode(key) not in blob


# --------------------------------------------------------------------------
# The restore drill (PostgreSQL)
# --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_restore_drill(backup_settings, moderator, django_capture_on_commit_callbacks):
    if connection.vendor != "postgresql":
        pytest.skip(
            "The restore drill wipes a PostgreSQL schema (run with DATABASE_URL)."
        )
    moderator_client = sign_in(Client(), moderator, second_factor=True)
    member = located_member(LYON)
    member.status = User.Status.MEMBER
    member.save()
    host = located_member(LYON, safe_place={"adults": 2})
    conversation = conversation_between(member, host)
    message_in(conversation, host, "Tu peux passer demain")
    marker = f"SORORITY-MARKER-{uuid.uuid4().hex}".encode()
    decided_user = UserFactory(status=User.Status.APPLICANT)
    decided_client = sign_in(Client(), decided_user)
    decided_client.email = decided_user.email
    decided = submit_marked(decided_client, marker)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            review(moderator_client, decided, "Qzxname", "refuse", "blurry").status_code
            == 200
        )
    pending_user = UserFactory(status=User.Status.APPLICANT)
    pending_client = sign_in(Client(), pending_user)
    pending_client.email = pending_user.email
    pending = submit_marked(pending_client, marker)
    assert moderator_client.post(f"{BASE}/{pending.pk}/claim").status_code == 200

    call_command("backup", stdout=io.StringIO())
    [name] = backup.target().names()
    path = backup.target().folder / name
    blob = archive_bytes(decrypted(path))
    for variant in variants(marker):
        assert variant not in blob

    # Wipe: nothing is left of the schema.
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")
    assert connection.introspection.table_names() == []
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE scratch (id int)")
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(path), stdout=io.StringIO())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        out = io.StringIO()
        call_command("restore", str(path), "--wipe", stdout=out)
    assert "1 pending case(s)" in out.getvalue()
    assert "scratch" not in connection.introspection.table_names()

    # The journey works on the restored data (sessions were not kept: sign in again).
    assert Client().get("/api/v1/conversations").status_code in (401, 403)
    client = sign_in(Client(), User.objects.get(pk=member.pk))
    results = client.get("/api/v1/search/safe-places", {"place": LYON}).json()[
        "results"
    ]
    assert [r["member_id"] for r in results] == [host.pk]
    [listed] = client.get("/api/v1/conversations").json()
    messages = client.get(f"/api/v1/conversations/{listed['id']}/messages").json()
    assert "Tu peux passer demain" in str(messages)

    # Shredded stays shredded; the pending case asks for new photos, neutrally.
    assert not EvidenceDocument.objects.exists()
    assert not VerificationRequest.objects.exclude(wrapped_dek=None).exists()
    assert VerificationRequest.objects.get(pk=decided.pk).state == "rejected"
    reopened = VerificationRequest.objects.get(pk=pending.pk)
    assert reopened.state == "revision_requested"
    assert reopened.assignee_id is None
    assert reopened.revision_count == 0
    assert User.objects.get(pk=pending_user.pk).status == User.Status.RESUBMIT
    assert AuditEntry.objects.filter(
        kind="reconciled",
        request_id=pending.pk,
        data__finding="restored_without_documents",
    ).exists()
    assert verify_chain() is None  # the restored audit chain is whole
    [notice] = mail.outbox
    assert notice.to == [pending_user.email]
    assert "vérification" not in (notice.subject + notice.body).lower()
    # She can submit again.
    again = sign_in(Client(), User.objects.get(pk=pending_user.pk))
    again.email = pending_user.email
    submit_marked(again, b"SORORITY-MARKER-second-round")
