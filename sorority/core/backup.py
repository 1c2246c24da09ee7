"""Encrypted backups that never carry an identity document (docs/operations.md).

A backup is one file, ``sorority-<UTC time>.sbk``: a tar archive (database dump,
a manifest, the media files that need keeping) encrypted with AES-256-GCM in 1 MiB
chunks under a key derived (HKDF-SHA256, random salt per backup) from the current
``BACKUP_KEYS`` version. The keys live in the environment only, never in a backup.

What is never in a backup (docs/operations.md, "Backups and restore"):

* the vault (``VAULT_ROOT``): encrypted identity documents;
* the rows of the evidence documents and liveness challenges, and the wrapped data
  keys of every verification case (the column is written as NULL), so that a restore
  can never bring back a document destroyed after the backup was taken;
* the sessions: a session ended after the backup stays ended.

After a restore, cases that were waiting for a decision have no documents left: they
are moved to "new photos requested" and the applicant gets the neutral notice.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlparse

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

MAGIC = b"SORBAK1\n"
CHUNK = 1 << 20
SUFFIX = ".sbk"
NAME_RE = re.compile(r"^sorority-(\d{8}T\d{6}Z)\.sbk$")
FORMAT = 1


class BackupError(Exception):
    """A backup or restore cannot proceed; the message never carries key material."""


# --------------------------------------------------------------------------
# What is excluded
# --------------------------------------------------------------------------


def excluded_tables() -> list[str]:
    """Tables whose rows never enter a backup (their schema does)."""
    from django.contrib.sessions.models import Session

    from sorority.verification.models import EvidenceDocument, VerificationChallenge

    tables = [
        EvidenceDocument._meta.db_table,
        VerificationChallenge._meta.db_table,
        Session._meta.db_table,
    ]
    from allauth.usersessions.models import UserSession
    from django_tasks_db.models import DBTaskResult

    tables.append(UserSession._meta.db_table)
    # Queued tasks carry what the worker is about to send (an erasure notice's
    # address, a sign-in code): never in a backup. A restore starts with an empty
    # queue; the scheduler enqueues the periodic jobs again at their next slot.
    tables.append(DBTaskResult._meta.db_table)
    return tables


def _case_table() -> str:
    from sorority.verification.models import VerificationRequest

    return VerificationRequest._meta.db_table


# Columns of the case table written as NULL: the wrapped key and its challenge.
NULLED_CASE_COLUMNS = ("wrapped_dek", "key_version", "challenge_id")


# --------------------------------------------------------------------------
# Encryption: chunked AES-256-GCM
# --------------------------------------------------------------------------


def _derive(master: bytes, salt: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=salt, info=b"sorority-backup|v1"
    ).derive(master)


def encrypt_stream(src: BinaryIO, dst: BinaryIO, keyring: dict[int, bytes]) -> None:
    """Encrypt `src` into `dst`: header, then length-prefixed sealed chunks.

    Each chunk's nonce is an 8-byte random prefix and a 4-byte counter; the header
    and a last-chunk flag are in the AAD, so reordering or truncation fails to open.
    """
    if not keyring:
        raise BackupError("BACKUP_KEYS is not set.")
    version = max(keyring)
    salt = os.urandom(16)
    prefix = os.urandom(8)
    header = MAGIC + struct.pack(">H", version) + salt + prefix
    dst.write(header)
    aead = AESGCM(_derive(keyring[version], salt))
    counter = 0
    chunk = src.read(CHUNK)
    while True:
        following = src.read(CHUNK)
        last = not following
        nonce = prefix + struct.pack(">I", counter)
        sealed = aead.encrypt(nonce, chunk, header + (b"\x01" if last else b"\x00"))
        dst.write(struct.pack(">I", len(sealed)) + sealed)
        if last:
            return
        counter += 1
        chunk = following


def decrypt_stream(src: BinaryIO, dst: BinaryIO, keyring: dict[int, bytes]) -> None:
    """Reverse :func:`encrypt_stream`; raise `BackupError` on any tampering."""
    from cryptography.exceptions import InvalidTag

    header = src.read(len(MAGIC) + 2 + 16 + 8)
    if len(header) != len(MAGIC) + 26 or not header.startswith(MAGIC):
        raise BackupError("Not a Sorority backup file.")
    (version,) = struct.unpack(">H", header[len(MAGIC) : len(MAGIC) + 2])
    if version not in keyring:
        raise BackupError(f"Backup key version {version} is not in BACKUP_KEYS.")
    salt = header[len(MAGIC) + 2 : len(MAGIC) + 18]
    prefix = header[len(MAGIC) + 18 :]
    aead = AESGCM(_derive(keyring[version], salt))
    counter = 0
    while True:
        raw = src.read(4)
        if len(raw) != 4:
            raise BackupError("The backup file is truncated.")
        (size,) = struct.unpack(">I", raw)
        sealed = src.read(size)
        nonce = prefix + struct.pack(">I", counter)
        for flag in (b"\x00", b"\x01"):
            try:
                plain = aead.decrypt(nonce, sealed, header + flag)
            except InvalidTag:
                continue
            break
        else:
            raise BackupError("The backup file is damaged or the key is wrong.")
        dst.write(plain)
        if flag == b"\x01":
            if src.read(1):
                raise BackupError("Unexpected data after the end of the backup.")
            return
        counter += 1


# --------------------------------------------------------------------------
# Targets: a folder (file://); S3 is not implemented (docs/operations.md)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    folder: Path

    @classmethod
    def from_url(cls, url: str) -> Target:
        parsed = urlparse(url)
        if parsed.scheme == "file":
            return cls(Path(unquote(parsed.path)))
        if parsed.scheme == "" and url.startswith("/"):
            return cls(Path(url))
        raise BackupError(
            "BACKUP_TARGET must be file:///absolute/path (other targets are not supported)."
        )

    def names(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.name for p in self.folder.iterdir() if NAME_RE.match(p.name))


def target() -> Target:
    return Target.from_url(settings.BACKUP_TARGET)


def prune(
    *, now: datetime.datetime | None = None, keep_days: int | None = None
) -> list[str]:
    """Delete backups older than `BACKUP_RETENTION_DAYS`; always keep the newest one."""
    now = now or timezone.now()
    keep_days = settings.BACKUP_RETENTION_DAYS if keep_days is None else keep_days
    dest = target()
    names = dest.names()
    removed = []
    for name in names[:-1]:
        match = NAME_RE.match(name)
        if match is None:  # pragma: no cover - names() lists matching names only
            continue
        taken = datetime.datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.UTC
        )
        if now - taken > datetime.timedelta(days=keep_days):
            (dest.folder / name).unlink(missing_ok=True)
            removed.append(name)
    return removed


# --------------------------------------------------------------------------
# Database dump
# --------------------------------------------------------------------------


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _libpq_env() -> tuple[str, dict[str, str]]:
    """The database name for pg_dump/pg_restore and a libpq environment."""
    db = settings.DATABASES["default"]
    environ = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            environ[var] = str(db[key])
    if db.get("PASSWORD"):
        environ["PGPASSWORD"] = str(db["PASSWORD"])
    return str(db["NAME"]), environ


def _dump_postgres(work: Path) -> None:
    name, environ = _libpq_env()
    table = _case_table()
    excluded = [*excluded_tables(), table]
    import psycopg

    # A connection of its own: its snapshot is the one pg_dump reads, so the case
    # rows copied below match the rest of the dump exactly.
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params) as pg:
        pg.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        (snapshot,) = pg.execute("SELECT pg_export_snapshot()").fetchone()
        args = [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--snapshot={snapshot}",
            f"--file={work / 'db.pgdump'}",
        ]
        args += [f"--exclude-table-data={t}" for t in excluded]
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [*args, name], env=environ, capture_output=True, check=False
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.decode()[-500:]}")
        columns = [
            row[0]
            for row in pg.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema"
                " = current_schema() AND table_name = %s ORDER BY ordinal_position",
                [table],
            ).fetchall()
        ]
        select = ", ".join(
            "NULL" if c in NULLED_CASE_COLUMNS else connection.ops.quote_name(c)
            for c in columns
        )
        query = (
            f"COPY (SELECT {select} FROM {connection.ops.quote_name(table)}) TO STDOUT"  # noqa: S608
        )
        with (work / "cases.copy").open("wb") as out, pg.cursor().copy(query) as copy:
            for data in copy:
                out.write(bytes(data))
        pg.rollback()
    (work / "cases.columns.json").write_text(json.dumps(columns))


def _dump_sqlite(work: Path) -> None:
    connection.ensure_connection()
    dest_path = work / "db.sqlite3"
    dest = sqlite3.connect(dest_path)
    try:
        connection.connection.backup(dest)
        dest.execute("PRAGMA secure_delete=ON")
        for table in excluded_tables():
            dest.execute(f'DELETE FROM "{table}"')  # noqa: S608 - model table names
        sets = ", ".join(f'"{c}" = NULL' for c in NULLED_CASE_COLUMNS)
        dest.execute(f'UPDATE "{_case_table()}" SET {sets}')  # noqa: S608
        dest.commit()
        dest.execute("VACUUM")  # freed pages would still hold the deleted bytes
    finally:
        dest.close()


# --------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------


def media_files() -> Iterator[Path]:
    """Files of MEDIA_ROOT to keep; never anything under the vault."""
    root = Path(settings.MEDIA_ROOT)
    vault = Path(settings.VAULT_ROOT).resolve()
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        resolved = path.resolve()
        if not path.is_file() or resolved == vault or vault in resolved.parents:
            continue
        yield path


# --------------------------------------------------------------------------
# Backup
# --------------------------------------------------------------------------


def _private_tempdir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="sorority-backup-")  # mode 0700


def backup_create(*, now: datetime.datetime | None = None) -> Path:
    """Write one encrypted backup to BACKUP_TARGET and return its path."""
    keyring = settings.BACKUP_KEYS
    if not keyring:
        raise BackupError("BACKUP_KEYS is not set.")
    now = now or timezone.now()
    dest = target()
    dest.folder.mkdir(parents=True, exist_ok=True)
    with _private_tempdir() as tmp:
        work = Path(tmp) / "db"
        work.mkdir()
        if _is_postgres():
            _dump_postgres(work)
        elif connection.vendor == "sqlite":
            _dump_sqlite(work)
        else:
            raise BackupError(f"Unsupported database: {connection.vendor}.")
        from django.db.migrations.recorder import MigrationRecorder

        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "vendor": connection.vendor,
            "migrations": MigrationRecorder.Migration.objects.count(),
            "excluded_table_data": excluded_tables(),
            "nulled_columns": {_case_table(): list(NULLED_CASE_COLUMNS)},
        }
        archive = Path(tmp) / "backup.tar"
        media_root = Path(settings.MEDIA_ROOT)
        with tarfile.open(archive, "w") as tar:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            for member in sorted(work.iterdir()):
                tar.add(member, arcname=f"db/{member.name}")
            for path in media_files():
                tar.add(path, arcname=f"media/{path.relative_to(media_root)}")
        name = f"sorority-{now.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}{SUFFIX}"
        partial = dest.folder / f".{name}.part"
        with archive.open("rb") as src, partial.open("wb") as out:
            os.chmod(partial, 0o600)
            encrypt_stream(src, out, keyring)
        final = dest.folder / name
        partial.replace(final)
    return final


# --------------------------------------------------------------------------
# Restore
# --------------------------------------------------------------------------


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def _wipe_postgres() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")


def _pg_restore(dump: Path, section: str) -> None:
    name, environ = _libpq_env()
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [  # noqa: S607 - the server's client tools, from PATH
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--section={section}",
            f"--dbname={name}",
            str(dump),
        ],
        env=environ,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(
            f"pg_restore ({section}) failed: {result.stderr.decode()[-500:]}"
        )


def _restore_postgres(work: Path) -> None:
    dump = work / "db.pgdump"
    _pg_restore(dump, "pre-data")
    _pg_restore(dump, "data")
    columns = json.loads((work / "cases.columns.json").read_text())
    table = connection.ops.quote_name(_case_table())
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    query = f"COPY {table} ({cols}) FROM STDIN"
    connection.ensure_connection()
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.connection
        with (
            raw.cursor() as pg,
            pg.copy(query) as copy,
            (work / "cases.copy").open("rb") as src,
        ):
            while block := src.read(CHUNK):
                copy.write(block)
    _pg_restore(dump, "post-data")


def _restore_sqlite(work: Path) -> None:
    connection.close()
    target_path = Path(settings.DATABASES["default"]["NAME"])
    src = sqlite3.connect(work / "db.sqlite3")
    dst = sqlite3.connect(target_path)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in tar.getmembers():
        parts = Path(member.name).parts
        if (
            member.name.startswith("/")
            or ".." in parts
            or not (member.isfile() or member.isdir())
        ):
            raise BackupError("The backup archive has an unsafe entry.")
        members.append(member)
    return members


@dataclass
class RestoreResult:
    cases_reopened: int
    media_files: int
    manifest: dict


def backup_restore(path: Path, *, wipe: bool = False) -> RestoreResult:
    """Restore a backup into the configured (empty, or wiped) database."""
    keyring = settings.BACKUP_KEYS
    if not keyring:
        raise BackupError("BACKUP_KEYS is not set.")
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    with _private_tempdir() as tmp:
        archive = Path(tmp) / "backup.tar"
        with path.open("rb") as src, archive.open("wb") as out:
            decrypt_stream(src, out, keyring)
        out_dir = Path(tmp) / "x"
        with tarfile.open(archive) as tar:
            tar.extractall(out_dir, members=_safe_members(tar), filter="data")
        manifest = json.loads((out_dir / "manifest.json").read_text())
        if manifest.get("format") != FORMAT:
            raise BackupError("Unknown backup format.")
        if manifest.get("vendor") != connection.vendor:
            raise BackupError(
                f"This backup is of a {manifest.get('vendor')} database, "
                f"not {connection.vendor}."
            )
        if not _database_is_empty():
            if not wipe:
                raise BackupError(
                    "The database is not empty: pass --wipe to replace its contents."
                )
            if _is_postgres():
                _wipe_postgres()
        work = out_dir / "db"
        if _is_postgres():
            _restore_postgres(work)
        else:
            _restore_sqlite(work)
        copied = 0
        media_src = out_dir / "media"
        if media_src.is_dir():
            for item in media_src.rglob("*"):
                if item.is_file():
                    dest = Path(settings.MEDIA_ROOT) / item.relative_to(media_src)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(item, dest)
                    copied += 1
    reopened = reopen_pending_cases()
    return RestoreResult(cases_reopened=reopened, media_files=copied, manifest=manifest)


def reopen_pending_cases() -> int:
    """Cases waiting for a decision have lost their documents: ask for new photos.

    The applicant's revision count is not charged (it is not her doing); she gets
    the usual neutral notice and her status becomes "asked to resubmit".
    """
    from sorority.accounts.models import User
    from sorority.accounts.services import user_set_status
    from sorority.verification.audit import audit
    from sorority.verification.models import (
        AuditEntry,
        EvidenceDocument,
        VerificationRequest,
    )
    from sorority.verification.services import _notify

    state = VerificationRequest.State
    reopened = 0
    with transaction.atomic():
        cases = (
            VerificationRequest.objects.select_for_update()
            .select_related("user")
            .filter(state__in=[state.SUBMITTED, state.IN_REVIEW])
        )
        for case in cases:
            if EvidenceDocument.objects.filter(request=case).exists():
                continue  # pragma: no cover - the backup never has these rows
            case.state = state.REVISION_REQUESTED
            case.assignee = None
            case.assigned_at = None
            case.wrapped_dek = None
            case.key_version = None
            case.save()
            if case.user.status == User.Status.PENDING:
                user_set_status(user=case.user, status=User.Status.RESUBMIT)
            audit(
                AuditEntry.Kind.RECONCILED,
                subject_id=case.user_id,
                request_id=case.pk,
                finding="restored_without_documents",
            )
            applicant = case.user
            transaction.on_commit(lambda u=applicant: _notify(u))
            reopened += 1
    return reopened


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as src:
        while block := src.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()
