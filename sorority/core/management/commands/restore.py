"""Restore an encrypted backup into the configured database."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sorority.core import backup


class Command(BaseCommand):
    help = "Restore a backup written by `manage.py backup` (the newest one by default)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "path", nargs="?", help="Backup file (default: the newest)."
        )
        parser.add_argument(
            "--wipe",
            action="store_true",
            help="Replace the contents of a database that is not empty.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["path"]:
                path = Path(options["path"])
            else:
                dest = backup.target()
                names = dest.names()
                if not names:
                    raise backup.BackupError(f"No backup in {dest.folder}.")
                path = dest.folder / names[-1]
            result = backup.backup_restore(path, wipe=options["wipe"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored {path.name}: {result.cases_reopened} pending case(s) asked for "
            f"new photos, {result.media_files} media file(s)."
        )
