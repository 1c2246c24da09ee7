"""Tests for sorority.verification.crypto (docs/security.md requirement 16)."""

from __future__ import annotations

import base64
import os

import pytest
from cryptography.exceptions import InvalidTag

from sorority.verification.crypto import (
    DEK_BYTES,
    DecryptionError,
    UnknownKeyVersionError,
    current_version,
    decrypt,
    document_aad,
    encrypt,
    new_dek,
    parse_keyring,
    rewrap,
    unwrap_dek,
    wrap_dek,
)

KEY_1 = bytes(range(32))
KEY_2 = bytes(range(100, 132))
KEY_3 = bytes(range(200, 232))


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


@pytest.fixture
def keyring() -> dict[int, bytes]:
    return {1: KEY_1}


@pytest.fixture
def rotated_keyring() -> dict[int, bytes]:
    return {1: KEY_1, 2: KEY_2}


# --------------------------------------------------------------------------
# parse_keyring / current_version
# --------------------------------------------------------------------------


def test_parse_keyring_round_trip() -> None:
    value = f"1:{_b64(KEY_1)}, 2:{_b64(KEY_2)} ,3:{_b64(KEY_3)}"
    assert parse_keyring(value) == {1: KEY_1, 2: KEY_2, 3: KEY_3}


def test_current_version_is_the_highest() -> None:
    assert current_version(parse_keyring(f"7:{_b64(KEY_1)},3:{_b64(KEY_2)}")) == 7
    with pytest.raises(ValueError, match="empty"):
        current_version({})


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (_b64(KEY_1), "malformed"),
        (f"1:{_b64(KEY_1)},", "malformed"),
        (f"1:{_b64(KEY_1)},,2:{_b64(KEY_2)}", "malformed"),
        (f"x:{_b64(KEY_1)}", "integer"),
        (f"-1:{_b64(KEY_1)}", "integer"),
        (f"0:{_b64(KEY_1)}", ">= 1"),
        (f"1:{_b64(KEY_1)},1:{_b64(KEY_2)}", "more than once"),
        ("1:not base64!!", "base64"),
        ("1:" + _b64(KEY_1).rstrip("="), "base64"),
        (f"1:{_b64(b'short')}", "expected 32"),
        (f"1:{_b64(KEY_1 + b'xxx')}", "35 bytes"),
        (f"1:{_b64(KEY_1)},2:{_b64(KEY_1)}", "reuses"),
    ],
)
def test_parse_keyring_rejects_bad_values(value: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        parse_keyring(value)


def test_parse_keyring_errors_never_echo_key_material() -> None:
    secret = _b64(KEY_1 + b"extra")
    with pytest.raises(ValueError) as excinfo:
        parse_keyring(f"1:{secret}")
    assert secret not in str(excinfo.value)
    assert excinfo.value.__cause__ is None


def test_parse_keyring_accepts_longer_hmac_keys_when_asked() -> None:
    long_key = os.urandom(48)
    assert parse_keyring(f"1:{_b64(long_key)}", max_key_bytes=None) == {1: long_key}
    with pytest.raises(ValueError, match="at least 32"):
        parse_keyring(f"1:{_b64(b'x' * 16)}", max_key_bytes=None)


# --------------------------------------------------------------------------
# DEK wrapping
# --------------------------------------------------------------------------


def test_new_dek_is_random_256_bit() -> None:
    deks = {new_dek() for _ in range(64)}
    assert len(deks) == 64
    assert all(len(dek) == DEK_BYTES for dek in deks)


def test_wrap_unwrap_round_trip(keyring: dict[int, bytes]) -> None:
    dek = new_dek()
    version, wrapped = wrap_dek(dek, keyring)
    assert version == 1
    assert len(wrapped) == 12 + 32 + 16
    assert unwrap_dek(version, wrapped, keyring) == dek


def test_dek_never_equals_or_appears_in_its_wrapped_form(
    keyring: dict[int, bytes],
) -> None:
    for _ in range(32):
        dek = new_dek()
        _, wrapped = wrap_dek(dek, keyring)
        assert wrapped != dek
        assert dek not in wrapped
        assert dek[:8] not in wrapped


def test_wrapping_twice_gives_different_blobs(keyring: dict[int, bytes]) -> None:
    dek = new_dek()
    assert wrap_dek(dek, keyring)[1] != wrap_dek(dek, keyring)[1]


def test_wrap_uses_current_version(rotated_keyring: dict[int, bytes]) -> None:
    version, wrapped = wrap_dek(new_dek(), rotated_keyring)
    assert version == 2
    # The old KEK cannot open it, and neither can a mislabelled version.
    with pytest.raises(DecryptionError):
        unwrap_dek(1, wrapped, rotated_keyring)


def test_wrong_key_version_fails(rotated_keyring: dict[int, bytes]) -> None:
    version, wrapped = wrap_dek(new_dek(), {1: KEY_1})
    assert version == 1
    with pytest.raises(DecryptionError) as excinfo:
        unwrap_dek(2, wrapped, rotated_keyring)
    assert isinstance(excinfo.value.__cause__, InvalidTag)


def test_same_key_under_other_version_label_fails() -> None:
    # The version is bound through the AAD, not only through the key bytes.
    _, wrapped = wrap_dek(new_dek(), {1: KEY_1})
    with pytest.raises(DecryptionError):
        unwrap_dek(5, wrapped, {5: KEY_1})


def test_unknown_key_version_fails(keyring: dict[int, bytes]) -> None:
    _, wrapped = wrap_dek(new_dek(), keyring)
    with pytest.raises(UnknownKeyVersionError):
        unwrap_dek(9, wrapped, keyring)


def test_tampered_wrapped_dek_fails(keyring: dict[int, bytes]) -> None:
    version, wrapped = wrap_dek(new_dek(), keyring)
    for index in (0, 11, 12, 30, len(wrapped) - 1):
        tampered = bytearray(wrapped)
        tampered[index] ^= 0x01
        with pytest.raises(DecryptionError):
            unwrap_dek(version, bytes(tampered), keyring)
    with pytest.raises(DecryptionError):
        unwrap_dek(version, wrapped[:-1], keyring)


def test_wrap_rejects_bad_dek(keyring: dict[int, bytes]) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        wrap_dek(b"too short", keyring)


# --------------------------------------------------------------------------
# Rotation
# --------------------------------------------------------------------------


def test_rotation_rewraps_under_new_kek() -> None:
    dek = new_dek()
    old_version, old_wrapped = wrap_dek(dek, {1: KEY_1})
    # Operator adds version 2 to the keyring.
    keyring = {1: KEY_1, 2: KEY_2}
    new_version, new_wrapped = rewrap(old_version, old_wrapped, keyring)
    assert new_version == 2
    assert new_wrapped != old_wrapped
    # After re-wrapping everything, version 1 can be retired.
    assert unwrap_dek(new_version, new_wrapped, {2: KEY_2}) == dek
    with pytest.raises(UnknownKeyVersionError):
        unwrap_dek(old_version, old_wrapped, {2: KEY_2})


def test_rotation_keeps_document_ciphertexts_readable() -> None:
    dek = new_dek()
    aad = document_aad("sub-1", "selfie_1")
    blob = encrypt(dek, b"image bytes", aad)
    version, wrapped = wrap_dek(dek, {1: KEY_1})
    version, wrapped = rewrap(version, wrapped, {1: KEY_1, 2: KEY_2})
    assert decrypt(unwrap_dek(version, wrapped, {2: KEY_2}), blob, aad) == (
        b"image bytes"
    )


def test_rewrap_under_current_version_is_a_verified_no_op(
    keyring: dict[int, bytes],
) -> None:
    version, wrapped = wrap_dek(new_dek(), keyring)
    assert rewrap(version, wrapped, keyring) == (version, wrapped)
    tampered = bytearray(wrapped)
    tampered[-1] ^= 0xFF
    with pytest.raises(DecryptionError):
        rewrap(version, bytes(tampered), keyring)


# --------------------------------------------------------------------------
# Document encryption
# --------------------------------------------------------------------------


def test_document_aad_format() -> None:
    assert document_aad("0b9f-42", "id_photo") == b"0b9f-42|id_photo|1"
    assert document_aad("s", "k", 3) == b"s|k|3"


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("", "id_photo"), "submission_id"),
        (("a|b", "id_photo"), "submission_id"),
        (("sub", ""), "kind"),
        (("sub", "x|1"), "kind"),
        (("sub", "kind", 0), "format_version"),
        (("sub", "kind", True), "format_version"),
    ],
)
def test_document_aad_rejects_ambiguous_fields(
    args: tuple[object, ...], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        document_aad(*args)  # type: ignore[arg-type]


def test_encrypt_decrypt_round_trip() -> None:
    dek = new_dek()
    aad = document_aad("sub-1", "id_photo")
    plaintext = os.urandom(10_000)
    blob = encrypt(dek, plaintext, aad)
    assert len(blob) == 12 + len(plaintext) + 16
    assert plaintext not in blob
    assert decrypt(dek, blob, aad) == plaintext


def test_encrypt_uses_fresh_nonces() -> None:
    dek = new_dek()
    aad = document_aad("sub-1", "id_photo")
    blobs = {encrypt(dek, b"same", aad) for _ in range(32)}
    assert len(blobs) == 32
    assert len({blob[:12] for blob in blobs}) == 32


def test_empty_plaintext_round_trip() -> None:
    dek = new_dek()
    aad = document_aad("s", "k")
    assert decrypt(dek, encrypt(dek, b"", aad), aad) == b""


@pytest.mark.parametrize(
    "wrong_aad",
    [
        document_aad("sub-2", "id_photo"),  # other submission
        document_aad("sub-1", "selfie_1"),  # other document kind
        document_aad("sub-1", "id_photo", 2),  # other format version
        b"",
    ],
)
def test_wrong_aad_fails(wrong_aad: bytes) -> None:
    dek = new_dek()
    blob = encrypt(dek, b"secret", document_aad("sub-1", "id_photo"))
    with pytest.raises(DecryptionError) as excinfo:
        decrypt(dek, blob, wrong_aad)
    assert isinstance(excinfo.value.__cause__, InvalidTag)


def test_wrong_dek_fails() -> None:
    aad = document_aad("sub-1", "id_photo")
    blob = encrypt(new_dek(), b"secret", aad)
    with pytest.raises(DecryptionError):
        decrypt(new_dek(), blob, aad)


def test_tampered_blob_fails() -> None:
    dek = new_dek()
    aad = document_aad("sub-1", "id_photo")
    blob = encrypt(dek, b"secret document", aad)
    for index in range(len(blob)):
        tampered = bytearray(blob)
        tampered[index] ^= 0x80
        with pytest.raises(DecryptionError):
            decrypt(dek, bytes(tampered), aad)
    for cut in (0, 11, 27, len(blob) - 1):
        with pytest.raises(DecryptionError):
            decrypt(dek, blob[:cut], aad)
    with pytest.raises(DecryptionError):
        decrypt(dek, blob + b"\x00", aad)


def test_encrypt_requires_aad_and_valid_dek() -> None:
    with pytest.raises(ValueError, match="aad"):
        encrypt(new_dek(), b"x", b"")
    with pytest.raises(ValueError, match="32 bytes"):
        encrypt(b"\x00" * 16, b"x", b"aad")
    with pytest.raises(ValueError, match="32 bytes"):
        decrypt(b"\x00" * 16, b"\x00" * 40, b"aad")


def test_full_envelope_flow() -> None:
    keyring = parse_keyring(f"1:{_b64(KEY_1)},2:{_b64(KEY_2)}")
    dek = new_dek()
    version, wrapped = wrap_dek(dek, keyring)
    blobs = {
        kind: encrypt(dek, f"pixels of {kind}".encode(), document_aad("s-9", kind))
        for kind in ("selfie_1", "selfie_2", "selfie_3", "id_photo")
    }
    del dek
    recovered = unwrap_dek(version, wrapped, keyring)
    for kind, blob in blobs.items():
        assert decrypt(recovered, blob, document_aad("s-9", kind)) == (
            f"pixels of {kind}".encode()
        )
