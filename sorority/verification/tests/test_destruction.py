"""End-to-end destruction test (docs/security.md §17, 21).

Photos carrying a unique marker are submitted and reviewed; after the decision (or
expiry, or withdrawal) the marker, raw or base64, and the transcribed name must be
nowhere: database dump, vault folder, temp folder, cache, logs and e-mails.
"""

import base64
import datetime
import io
import logging
import os
import tempfile
import time
import uuid

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import caches
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from sorority.verification import services, vault
from sorority.verification.models import (
    AuditEntry,
    DeletionReceipt,
    EvidenceDocument,
    VerificationRequest,
)
from sorority.verification.tests.conftest import form_data, upload

pytestmark = pytest.mark.django_db

BASE = "/api/v1/moderation/verifications"


def variants(secret: bytes) -> list[bytes]:
    """The secret raw, in hex and in base64 at every byte alignment."""
    found = [secret, secret.hex().encode()]
    for pad in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(b"\0" * pad + secret)
            found.append(encoded[4:-4])
    return found


def marked_photo(marker: bytes, seed: int) -> bytes:
    image = Image.new("RGB", (320, 240), (seed * 40 % 256, 90, 160))
    exif = Image.Exif()
    exif[0x010E] = marker.decode()  # ImageDescription
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=marker)
    return out.getvalue() + marker


def assert_absent(secrets: list[bytes], haystack: bytes, where: str) -> None:
    for secret in secrets:
        for variant in variants(secret):
            assert variant not in haystack, f"{secret!r} found in {where}"


def scan_tree(root: str, secrets: list[bytes], since: float, where: str) -> None:
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            try:
                stat = os.stat(path)
                if stat.st_mtime < since or stat.st_size > 50 * 1024 * 1024:
                    continue
                with open(path, "rb") as handle:
                    content = handle.read()
            except OSError:
                continue
            assert_absent(secrets, content, f"{where}: {path}")


def cache_bytes() -> bytes:
    """Every key and raw value of every cache: LocMem in memory, Redis by a SCAN."""
    blob = b""
    for alias in settings.CACHES:
        backend = caches[alias]
        store = getattr(backend, "_cache", {})
        if isinstance(store, dict):
            for key, value in store.items():
                blob += str(key).encode() + (value if isinstance(value, bytes) else repr(value).encode())
        else:  # django.core.cache.backends.redis.RedisCache
            client = store.get_client()
            for key in client.scan_iter():
                blob += key + (client.get(key) or b"")
    return blob


@pytest.fixture
def marked(applicant_web, caplog):
    caplog.set_level(logging.DEBUG)
    token = uuid.uuid4().hex
    marker = f"SORORITY-MARKER-{token}".encode()
    # A name has no digits (the transcription rules refuse them): hex digits as letters.
    name = "Qzx" + token[:10].translate(str.maketrans("0123456789", "ghijklmnop"))
    started = time.time() - 1
    challenge = applicant_web.post("/api/v1/verification/challenge").json()["id"]
    data = form_data(challenge)
    data["selfie"] = [upload(f"s{i}", marked_photo(marker, i)) for i in range(3)]
    data["id_front"] = upload("front", marked_photo(marker, 7))
    data["id_back"] = upload("back", marked_photo(marker, 8))
    assert marker in data["id_front"].read()
    data["id_front"].seek(0)
    response = applicant_web.post("/api/v1/verification/submission", data)
    assert response.status_code == 201
    case = VerificationRequest.objects.get()
    assert case.documents.count() == 5
    return {"marker": marker, "name": name.encode(), "case": case, "since": started}


def review(moderator_client, case, name: str, decision: str, reason: str | None = None):
    assert moderator_client.post(f"{BASE}/{case.pk}/claim").status_code == 200
    for kind in ("selfie_1", "id_front"):
        assert moderator_client.get(f"{BASE}/{case.pk}/documents/{kind}").status_code == 200
    payload = {
        "decision": decision,
        "reason": reason,
        "checklist": dict.fromkeys(services.CHECKLIST, True),
        "family_name": name,
        "given_names": "Wilhelmina",
        "birth_date": "1987-06-05",
    }
    return moderator_client.post(f"{BASE}/{case.pk}/decision", payload, content_type="application/json")


def assert_destroyed(marked, caplog) -> None:
    case = VerificationRequest.objects.get(pk=marked["case"].pk)
    secrets = [marked["marker"], marked["name"]]
    assert case.is_final or case.state == "revision_requested"
    assert case.wrapped_dek is None
    assert case.key_version is None
    assert not EvidenceDocument.objects.filter(request=case).exists()
    # No object with the submission prefix remains.
    _dirs, files = vault.list_folder(vault.folder(str(case.pk)))
    assert files == []
    vault_root = settings.STORAGES["vault"]["OPTIONS"]["location"]
    scan_tree(vault_root, secrets, 0, "vault")
    # Full database dump.
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert_absent(secrets, dump.getvalue().encode(), "database dump")
    # Temp folder, cache, logs, e-mails.
    scan_tree(tempfile.gettempdir(), secrets, marked["since"], "temp directory")
    assert_absent(secrets, cache_bytes(), "cache")
    logs = caplog.text + "".join(repr(record.args) for record in caplog.records)
    assert_absent(secrets, logs.encode(), "logs")
    for message in mail.outbox:
        assert_absent(secrets, message.message().as_bytes(), "e-mail")
    # The purge is recorded and the applicant can see her receipt.
    purge = AuditEntry.objects.get(kind="purged", request_id=case.pk)
    assert len(purge.data["objects"]) == 5
    assert DeletionReceipt.objects.filter(user=case.user, request_id=case.pk).exists()


@pytest.mark.parametrize(("decision", "reason"), [("approve", None), ("refuse", "face_mismatch")])
def test_decision_destroys_every_trace(
    marked, moderator_client, caplog, django_capture_on_commit_callbacks, decision, reason
):
    with django_capture_on_commit_callbacks(execute=True):
        response = review(moderator_client, marked["case"], marked["name"].decode(), decision, reason)
    assert response.status_code == 200
    assert len(mail.outbox) == 1
    assert_destroyed(marked, caplog)


def test_resubmission_request_destroys_every_trace(
    marked, moderator_client, caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review(moderator_client, marked["case"], marked["name"].decode(), "resubmit", "blurry")
    assert_destroyed(marked, caplog)


def test_expiry_destroys_every_trace(marked, caplog, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(timezone.now() + datetime.timedelta(days=31))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_scheduler", "--once", stdout=io.StringIO())
    assert VerificationRequest.objects.get().state == "expired"
    assert_destroyed(marked, caplog)


def test_withdrawal_destroys_every_trace(
    marked, applicant_web, caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert applicant_web.post("/verification/withdraw/").status_code == 302
    assert VerificationRequest.objects.get().state == "withdrawn"
    assert_destroyed(marked, caplog)


@pytest.mark.parametrize("pad", [b"", b"a", b"ab", b"abc"])
def test_the_scanner_finds_the_marker_raw_and_in_base64_at_any_alignment(pad):
    marker = b"SORORITY-MARKER-0123456789abcdef"
    for encoded in (pad + marker + b"tail", base64.b64encode(pad + marker + b"tail")):
        with pytest.raises(AssertionError):
            assert_absent([marker], b"xx" + encoded + b"yy", "sample")


def test_database_dump_holds_no_unwrapped_key_and_vault_objects_are_not_served(
    applicant_web, moderator_client, monkeypatch
):
    from sorority.verification import crypto

    seen: list[bytes] = []
    original = crypto.new_dek

    def recording_new_dek() -> bytes:
        seen.append(original())
        return seen[-1]

    monkeypatch.setattr(crypto, "new_dek", recording_new_dek)
    challenge = applicant_web.post("/api/v1/verification/challenge").json()["id"]
    assert applicant_web.post("/api/v1/verification/submission", form_data(challenge)).status_code == 201
    assert len(seen) == 1
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert_absent(seen, dump.getvalue().encode(), "database dump")
    for key in settings.VAULT_MASTER_KEYS.values():
        assert_absent([key], dump.getvalue().encode(), "database dump")
    # No URL serves the vault: not its storage URL, not a media or static route.
    from pathlib import Path

    from django.urls import get_resolver

    name = EvidenceDocument.objects.first().storage_name
    with pytest.raises(ValueError, match="never served by URL"):
        vault.storage().url(name)
    assert moderator_client.get(f"{settings.MEDIA_URL}{name}").status_code in (302, 404)
    assert moderator_client.get(f"/media/{name}").status_code in (302, 404)
    vault_root = Path(settings.STORAGES["vault"]["OPTIONS"]["location"]).resolve()
    assert not vault_root.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not vault_root.is_relative_to(Path(settings.STATIC_ROOT).resolve())

    def callbacks(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from callbacks(pattern.url_patterns)
            else:
                yield pattern.callback

    assert not [cb for cb in callbacks(get_resolver().url_patterns)
                if getattr(cb, "__module__", "") == "django.views.static"]


def test_the_vault_storage_class_refuses_to_give_urls(tmp_path):
    from sorority.verification.storage import VaultFileSystemStorage

    with pytest.raises(ValueError):
        VaultFileSystemStorage(location=str(tmp_path)).url("verification/x/y.bin")
