"""Envelope encryption of verification documents (docs/security.md requirement 16).

Design:

* Each submission gets its own random 256-bit data-encryption key (DEK,
  :func:`new_dek`). Every document image of the submission is encrypted with
  AES-256-GCM under that DEK (:func:`encrypt`) with a fresh 96-bit random
  nonce and an AAD binding the ciphertext to its submission, document kind and
  format version (:func:`document_aad`).
* The DEK is never stored in clear: it is wrapped (:func:`wrap_dek`) with
  AES-256-GCM under a key-encryption key (KEK) that lives outside the
  database, e.g. a mounted secret exposed as an environment variable in the
  form ``"1:<base64 32 bytes>,2:<base64 32 bytes>"`` (:func:`parse_keyring`).
  The highest version is the current one; older versions stay in the keyring
  only until every wrapped DEK has been re-wrapped (:func:`rewrap`).
* Crypto-shredding (requirement 17) = deleting the wrapped DEK row.

Blob formats (all binary, stored as-is):

* wrapped DEK: ``nonce(12) || AES-GCM(KEK_v, DEK, aad=b"sorority-dek|v<v>")``
  = 60 bytes; the KEK version ``v`` is stored next to it.
* document: ``nonce(12) || AES-GCM(DEK, plaintext, aad=document_aad(...))``.

Nonce budget: random 96-bit nonces are safe for up to 2**32 encryptions per
key (NIST SP 800-38D); a DEK encrypts a handful of images and a KEK wraps one
DEK per submission, both far below that bound.

Python cannot reliably wipe key material from memory; keep DEKs in local
variables only and never log, cache or serialise them.
"""

from __future__ import annotations

import base64
import binascii
import os
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "DEK_BYTES",
    "KEY_BYTES",
    "NONCE_BYTES",
    "TAG_BYTES",
    "DecryptionError",
    "UnknownKeyVersionError",
    "current_version",
    "decrypt",
    "document_aad",
    "encrypt",
    "new_dek",
    "parse_keyring",
    "rewrap",
    "unwrap_dek",
    "wrap_dek",
]

KEY_BYTES: Final = 32  # AES-256 KEK
DEK_BYTES: Final = 32  # AES-256 DEK
NONCE_BYTES: Final = 12  # 96-bit GCM nonce
TAG_BYTES: Final = 16  # 128-bit GCM tag

Keyring = dict[int, bytes]


class DecryptionError(Exception):
    """Authentication failed: wrong key, wrong AAD, or tampered/truncated blob.

    The underlying ``cryptography.exceptions.InvalidTag`` (if any) is chained
    as ``__cause__``. The message never contains key or plaintext material.
    """


class UnknownKeyVersionError(DecryptionError):
    """The wrapped DEK names a KEK version absent from the keyring."""


# --------------------------------------------------------------------------
# Keyring
# --------------------------------------------------------------------------


def parse_keyring(
    value: str,
    *,
    min_key_bytes: int = KEY_BYTES,
    max_key_bytes: int | None = KEY_BYTES,
) -> Keyring:
    """Parse ``"1:<base64>,2:<base64>"`` into ``{1: key1, 2: key2}``.

    Whitespace around entries is ignored. Versions must be positive, unique
    integers; keys must be standard base64 (padding required) decoding to
    between ``min_key_bytes`` and ``max_key_bytes`` bytes (both 32 by default,
    i.e. exactly an AES-256 key; pass ``max_key_bytes=None`` for HMAC keys,
    which may be longer). The same key bytes may not appear under two versions.

    Raises:
        ValueError: on any format problem. Messages name the offending entry
            by position/version only, never by its key material.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError("keyring is empty; expected '1:<base64 key>[,2:<...>]'")
    keyring: Keyring = {}
    seen: set[bytes] = set()
    for position, raw_entry in enumerate(value.split(","), start=1):
        entry = raw_entry.strip()
        version_text, sep, key_text = entry.partition(":")
        version_text, key_text = version_text.strip(), key_text.strip()
        if not sep or not version_text or not key_text:
            raise ValueError(
                f"keyring entry #{position} is malformed; expected '<version>:<base64>'"
            )
        if not version_text.isascii() or not version_text.isdigit():
            raise ValueError(f"keyring entry #{position}: version must be an integer")
        version = int(version_text)
        if version < 1:
            raise ValueError(f"keyring entry #{position}: version must be >= 1")
        if version in keyring:
            raise ValueError(f"keyring version {version} appears more than once")
        try:
            key = base64.b64decode(key_text, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(
                f"keyring version {version}: key is not valid base64"
            ) from None
        if len(key) < min_key_bytes or (
            max_key_bytes is not None and len(key) > max_key_bytes
        ):
            if max_key_bytes is None:
                expected = f"at least {min_key_bytes}"
            elif max_key_bytes == min_key_bytes:
                expected = f"{min_key_bytes}"
            else:
                expected = f"{min_key_bytes}-{max_key_bytes}"
            raise ValueError(
                f"keyring version {version}: key is {len(key)} bytes, "
                f"expected {expected}"
            )
        if key in seen:
            raise ValueError(f"keyring version {version} reuses another version's key")
        seen.add(key)
        keyring[version] = key
    return keyring


def current_version(keyring: Keyring) -> int:
    """Return the version used for new wraps: the highest one in the keyring."""
    if not keyring:
        raise ValueError("keyring is empty")
    return max(keyring)


def _kek(version: int, keyring: Keyring) -> bytes:
    try:
        key = keyring[version]
    except KeyError:
        raise UnknownKeyVersionError(
            f"key version {version} is not in the keyring"
        ) from None
    if len(key) != KEY_BYTES:
        raise ValueError(f"key version {version} is not a {KEY_BYTES}-byte key")
    return key


def _dek_aad(version: int) -> bytes:
    return f"sorority-dek|v{version}".encode("ascii")


# --------------------------------------------------------------------------
# Data-encryption keys
# --------------------------------------------------------------------------


def new_dek() -> bytes:
    """Return a fresh random 256-bit data-encryption key."""
    return os.urandom(DEK_BYTES)


def _check_dek(dek: bytes) -> None:
    if not isinstance(dek, bytes) or len(dek) != DEK_BYTES:
        raise ValueError(f"a DEK must be exactly {DEK_BYTES} bytes")


def wrap_dek(dek: bytes, keyring: Keyring) -> tuple[int, bytes]:
    """Wrap ``dek`` with the current KEK; returns ``(kek_version, wrapped)``."""
    _check_dek(dek)
    version = current_version(keyring)
    nonce = os.urandom(NONCE_BYTES)
    wrapped = AESGCM(_kek(version, keyring)).encrypt(nonce, dek, _dek_aad(version))
    return version, nonce + wrapped


def unwrap_dek(version: int, wrapped: bytes, keyring: Keyring) -> bytes:
    """Recover a DEK wrapped under KEK ``version``.

    Raises:
        UnknownKeyVersionError: ``version`` is not in the keyring.
        DecryptionError: wrong version/key, or the wrapped blob was altered.
    """
    kek = _kek(version, keyring)
    if len(wrapped) != NONCE_BYTES + DEK_BYTES + TAG_BYTES:
        raise DecryptionError("wrapped DEK has an invalid length")
    nonce, body = wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:]
    try:
        return AESGCM(kek).decrypt(nonce, body, _dek_aad(version))
    except InvalidTag as exc:
        raise DecryptionError("wrapped DEK failed authentication") from exc


def rewrap(version: int, wrapped: bytes, keyring: Keyring) -> tuple[int, bytes]:
    """Re-wrap a DEK under the current KEK (key rotation).

    The DEK itself, and therefore every document ciphertext, is unchanged. If
    the DEK is already wrapped under the current version it is only verified
    and returned as-is (no needless database write).
    """
    dek = unwrap_dek(version, wrapped, keyring)
    if version == current_version(keyring):
        return version, wrapped
    return wrap_dek(dek, keyring)


# --------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------


def document_aad(submission_id: str, kind: str, format_version: int = 1) -> bytes:
    """Return the AAD ``b"<submission_id>|<kind>|<format_version>"``.

    ``|`` is the field separator, so it is forbidden inside the fields to keep
    the encoding unambiguous.
    """
    for name, field in (("submission_id", submission_id), ("kind", kind)):
        if not isinstance(field, str) or not field:
            raise ValueError(f"{name} must be a non-empty string")
        if "|" in field:
            raise ValueError(f"{name} must not contain '|'")
    if (
        isinstance(format_version, bool)
        or not isinstance(format_version, int)
        or format_version < 1
    ):
        raise ValueError("format_version must be a positive integer")
    return f"{submission_id}|{kind}|{format_version}".encode()


def encrypt(dek: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt with AES-256-GCM; returns ``nonce(12) || ciphertext || tag(16)``."""
    _check_dek(dek)
    if not aad:
        raise ValueError("aad must not be empty; use document_aad()")
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(dek).encrypt(nonce, plaintext, aad)


def decrypt(dek: bytes, blob: bytes, aad: bytes) -> bytes:
    """Decrypt a blob produced by :func:`encrypt` with the same DEK and AAD.

    Raises:
        DecryptionError: wrong DEK or AAD, or a truncated/tampered blob.
    """
    _check_dek(dek)
    if len(blob) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("ciphertext is too short")
    nonce, body = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
    try:
        return AESGCM(dek).decrypt(nonce, body, aad)
    except InvalidTag as exc:
        raise DecryptionError("ciphertext failed authentication") from exc
