"""Challenge and submission: the happy path, encryption at rest, and bad input."""

import datetime
import io
import os
import tempfile

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from PIL import Image

from conftest import sign_in
from sorority.verification import crypto, vault
from sorority.verification.models import (
    EvidenceDocument,
    VerificationChallenge,
    VerificationRequest,
)
from sorority.verification.tests.conftest import (
    form_data,
    photo,
    submit_via_api,
    upload,
)

pytestmark = pytest.mark.django_db

CHALLENGE = "/api/v1/verification/challenge"
SUBMISSION = "/api/v1/verification/submission"


def new_challenge(client: Client) -> str:
    response = client.post(CHALLENGE)
    assert response.status_code == 201
    return response.json()["id"]


def test_challenge_has_instruction_expiry_and_is_bound_to_her(applicant_web, new_applicant):
    response = applicant_web.post(CHALLENGE)
    assert response.status_code == 201
    data = response.json()
    challenge = VerificationChallenge.objects.get(pk=data["id"])
    assert challenge.user == new_applicant
    assert challenge.code in data["instruction"]
    expires = datetime.datetime.fromisoformat(data["expires_at"].replace("Z", "+00:00"))
    assert datetime.timedelta(minutes=9) < expires - timezone.now() <= datetime.timedelta(minutes=10)
    assert VerificationRequest.objects.get().state == "draft"


def test_a_full_submission_is_encrypted_in_the_vault_and_she_is_pending(applicant_web, new_applicant):
    response = submit_via_api(applicant_web, marker=b"UNIQUE-MARKER-0001")
    assert response.status_code == 201
    assert response.json() == {"status": "pending"}
    new_applicant.refresh_from_db()
    assert new_applicant.status == "pending"
    case = VerificationRequest.objects.get()
    assert case.state == "submitted"
    assert case.submitted_at is not None
    kinds = sorted(case.documents.values_list("kind", flat=True))
    assert kinds == ["id_back", "id_front", "selfie_1", "selfie_2", "selfie_3"]
    dek = crypto.unwrap_dek(case.key_version, bytes(case.wrapped_dek), settings.VAULT_MASTER_KEYS)
    for document in case.documents.all():
        blob = vault.get(document.storage_name)
        assert document.storage_name.startswith(f"verification/{case.pk}/")
        assert b"UNIQUE-MARKER-0001" not in blob
        plain = crypto.decrypt(dek, blob, crypto.document_aad(str(case.pk), document.kind))
        assert plain.startswith(b"\xff\xd8\xff")
        assert b"UNIQUE-MARKER-0001" not in plain  # re-encoded: comment and trailer gone
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(dek, blob, crypto.document_aad(str(case.pk), "selfie_9"))
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(crypto.new_dek(), blob, crypto.document_aad(str(case.pk), document.kind))


def test_the_wrapped_key_does_not_open_with_another_master_key(applicant_web):
    submit_via_api(applicant_web)
    case = VerificationRequest.objects.get()
    other = {case.key_version: os.urandom(32)}
    with pytest.raises(crypto.DecryptionError):
        crypto.unwrap_dek(case.key_version, bytes(case.wrapped_dek), other)
    assert len(bytes(case.wrapped_dek)) == 60


def test_client_exif_date_and_gps_are_not_kept(applicant_web):
    image = Image.new("RGB", (200, 150), (10, 200, 10))
    exif = Image.Exif()
    exif[0x9003] = "2001:01:01 00:00:00"  # DateTimeOriginal
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    challenge_id = new_challenge(applicant_web)
    data = form_data(challenge_id)
    data["selfie"][0] = upload("exif", out.getvalue())
    assert applicant_web.post(SUBMISSION, data).status_code == 201
    case = VerificationRequest.objects.get()
    dek = crypto.unwrap_dek(case.key_version, bytes(case.wrapped_dek), settings.VAULT_MASTER_KEYS)
    doc = case.documents.get(kind="selfie_1")
    plain = crypto.decrypt(dek, vault.get(doc.storage_name), crypto.document_aad(str(case.pk), "selfie_1"))
    assert not dict(Image.open(io.BytesIO(plain)).getexif())
    assert b"2001:01:01" not in plain


def test_uploads_leave_no_file_in_the_temp_directory(applicant_web):
    before = set(os.listdir(tempfile.gettempdir()))
    assert submit_via_api(applicant_web).status_code == 201
    assert set(os.listdir(tempfile.gettempdir())) - before == set()


def test_back_of_document_is_optional(applicant_web):
    assert submit_via_api(applicant_web, back=False).status_code == 201
    assert VerificationRequest.objects.get().documents.count() == 4


def test_reused_challenge_is_rejected(applicant_web):
    challenge_id = new_challenge(applicant_web)
    assert applicant_web.post(SUBMISSION, form_data(challenge_id)).status_code == 201
    again = applicant_web.post(SUBMISSION, form_data(challenge_id))
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "challenge_used"


def test_expired_challenge_is_rejected_and_can_be_replaced(applicant_web, time_machine):
    challenge_id = new_challenge(applicant_web)
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=11))
    response = applicant_web.post(SUBMISSION, form_data(challenge_id))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "challenge_expired"
    assert applicant_web.post(SUBMISSION, form_data(new_challenge(applicant_web))).status_code == 201


def test_challenge_from_another_session_is_forbidden(applicant_web, new_applicant):
    challenge_id = new_challenge(applicant_web)
    other = sign_in(Client(), new_applicant)
    response = other.post(SUBMISSION, form_data(challenge_id))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "challenge_other_session"


def test_someone_elses_challenge_is_not_valid(applicant_web, applicant):
    challenge_id = new_challenge(applicant_web)
    thief = sign_in(Client(), applicant)
    response = thief.post(SUBMISSION, form_data(challenge_id))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_challenge"


def test_missing_or_forged_challenge_is_rejected(applicant_web):
    missing = applicant_web.post(SUBMISSION, form_data(None))
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "challenge_required"
    forged = applicant_web.post(SUBMISSION, form_data("forged-" + "A" * 30))
    assert forged.status_code == 400
    assert forged.json()["error"]["code"] == "invalid_challenge"


@pytest.mark.parametrize("count", [0, 1, 2, 4])
def test_anything_but_three_stills_is_rejected(applicant_web, count):
    response = applicant_web.post(SUBMISSION, form_data(new_challenge(applicant_web), selfies=count))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "three_selfies_required"
    assert not EvidenceDocument.objects.exists()


def test_front_of_document_and_declaration_are_required(applicant_web):
    challenge_id = new_challenge(applicant_web)
    data = form_data(challenge_id)
    del data["id_front"]
    response = applicant_web.post(SUBMISSION, data)
    assert response.json()["error"]["code"] == "id_front_required"
    data = form_data(challenge_id)
    data["declaration"] = "false"
    response = applicant_web.post(SUBMISSION, data)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "declaration_required"


def _png_bomb() -> bytes:
    out = io.BytesIO()
    Image.new("L", (7000, 7000)).save(out, "PNG")
    return out.getvalue()


def _truncated_jpeg() -> bytes:
    data = photo(size=(400, 300), seed=3)
    return data[: len(data) // 2]


def _polyglot() -> bytes:
    return photo(fmt="PNG") + b"<html><script>alert(1)</script></html>"


BAD_FILES = {
    "text": b"hello, this is not an image",
    "svg": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>',
    "pdf": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
    "eps": b"%!PS-Adobe-3.0 EPSF-3.0\n",
    "truncated_jpeg": None,
    "bomb": None,
    "polyglot": None,
    "empty": b"",
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_bad_files_get_a_clear_400_and_nothing_is_saved(applicant_web, new_applicant, kind):
    makers = {"truncated_jpeg": _truncated_jpeg, "bomb": _png_bomb, "polyglot": _polyglot}
    content = makers[kind]() if kind in makers else BAD_FILES[kind]
    challenge_id = new_challenge(applicant_web)
    data = form_data(challenge_id)
    data["selfie"][1] = upload("bad", content, "image/jpeg")
    response = applicant_web.post(SUBMISSION, data)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] in ("invalid_image", "three_selfies_required")
    assert not EvidenceDocument.objects.exists()
    assert vault.request_folders() == []
    new_applicant.refresh_from_db()
    assert new_applicant.status == "applicant"
    # Nothing lost: the same challenge still works with good photos.
    assert applicant_web.post(SUBMISSION, form_data(challenge_id)).status_code == 201


def test_a_nine_megabyte_upload_is_refused_with_413(applicant_web):
    challenge_id = new_challenge(applicant_web)
    data = form_data(challenge_id)
    data["id_back"] = upload("huge", b"\xff\xd8\xff" + os.urandom(9 * 1024 * 1024))
    response = applicant_web.post(SUBMISSION, data)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert not EvidenceDocument.objects.exists()


def test_bad_input_never_touches_a_pending_submission(applicant_web):
    assert submit_via_api(applicant_web).status_code == 201
    case = VerificationRequest.objects.get()
    names = set(case.documents.values_list("storage_name", flat=True))
    response = applicant_web.post(CHALLENGE)
    assert response.status_code == 409
    bad = applicant_web.post(SUBMISSION, form_data(None, selfies=1))
    assert bad.status_code == 400
    case.refresh_from_db()
    assert case.state == "submitted"
    assert set(case.documents.values_list("storage_name", flat=True)) == names
    for name in names:
        assert vault.storage().exists(name)


def test_same_bytes_in_two_pending_submissions_are_flagged(applicant_web, applicant):
    from sorority.accounts.models import User
    from sorority.accounts.tests.factories import UserFactory

    first = applicant_web
    assert submit_via_api(first).status_code == 201
    other = sign_in(Client(), UserFactory(status=User.Status.APPLICANT))
    assert submit_via_api(other).status_code == 201  # the same generated photos
    flagged = VerificationRequest.objects.filter(duplicate_upload=True)
    assert flagged.count() == 1


def test_iphone_heic_photos_are_accepted_when_pillow_heif_is_installed(applicant_web):
    pillow_heif = pytest.importorskip("pillow_heif")
    buffer = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (320, 240), (200, 10, 10))).save(buffer, quality=60)
    data = form_data(new_challenge(applicant_web))
    data["id_front"] = upload("front", buffer.getvalue(), "image/heic")
    assert applicant_web.post(SUBMISSION, data).status_code == 201


def test_duplicate_upload_hashes_are_gone_after_the_purge(
    applicant_web, django_capture_on_commit_callbacks
):
    assert submit_via_api(applicant_web).status_code == 201
    hashes = list(EvidenceDocument.objects.values_list("upload_sha256", flat=True))
    assert len(hashes) == 5
    with django_capture_on_commit_callbacks(execute=True):
        applicant_web.post("/api/v1/verification/withdraw")
    assert not EvidenceDocument.objects.filter(upload_sha256__in=hashes).exists()


def test_master_key_rotation_rewraps_keys_and_documents_stay_readable(applicant_web, settings):
    from django.core.management import call_command

    assert submit_via_api(applicant_web).status_code == 201
    case = VerificationRequest.objects.get()
    old = dict(settings.VAULT_MASTER_KEYS)
    settings.VAULT_MASTER_KEYS = {**old, 2: os.urandom(32)}
    out = io.StringIO()
    call_command("vault_rewrap", stdout=out)
    assert "Re-wrapped 1 key(s)" in out.getvalue()
    case.refresh_from_db()
    assert case.key_version == 2
    settings.VAULT_MASTER_KEYS = {2: settings.VAULT_MASTER_KEYS[2]}  # old key retired
    dek = crypto.unwrap_dek(2, bytes(case.wrapped_dek), settings.VAULT_MASTER_KEYS)
    doc = case.documents.get(kind="id_front")
    plain = crypto.decrypt(dek, vault.get(doc.storage_name), crypto.document_aad(str(case.pk), "id_front"))
    assert plain.startswith(b"\xff\xd8\xff")
