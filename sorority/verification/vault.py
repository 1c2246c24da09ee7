"""Encrypted objects in the vault storage, under one folder per submission round.

Only ciphertext ever reaches the storage. Any Django storage works; listing (for the
reconciliation job) uses `listdir`, and empty folders are removed when the backend
exposes local paths.
"""

import contextlib
import hashlib
import os
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages

PREFIX = "verification"


def storage() -> Storage:
    return storages["vault"]


def folder(request_id: str) -> str:
    return f"{PREFIX}/{request_id}"


def put(request_id: str, round_: int, kind: str, blob: bytes) -> tuple[str, str]:
    """Store a ciphertext; returns `(storage name, sha256 of the ciphertext)`."""
    name = f"{folder(request_id)}/r{round_}-{kind}-{secrets.token_hex(8)}.bin"
    stored = storage().save(name, ContentFile(blob))
    return stored, hashlib.sha256(blob).hexdigest()


def get(name: str) -> bytes:
    with storage().open(name, "rb") as handle:
        return handle.read()


def delete(name: str) -> None:
    storage().delete(name)


def list_folder(path: str) -> tuple[list[str], list[str]]:
    """Return `(subfolders, files)` of a vault folder; empty if it does not exist."""
    try:
        return storage().listdir(path)
    except (FileNotFoundError, NotImplementedError):
        return [], []


def delete_folder(request_id: str) -> list[str]:
    """Delete every object of a submission folder; returns the deleted names."""
    base = folder(request_id)
    _dirs, files = list_folder(base)
    deleted = []
    for file_name in files:
        name = f"{base}/{file_name}"
        storage().delete(name)
        deleted.append(name)
    remove_empty_dir(base)
    return deleted


def remove_empty_dir(path: str) -> None:
    with contextlib.suppress(NotImplementedError, OSError, AttributeError):
        os.rmdir(storage().path(path))


def request_folders() -> list[str]:
    """Return the request ids that have a folder in the vault."""
    dirs, _files = list_folder(PREFIX)
    return dirs
