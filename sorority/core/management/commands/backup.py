"""Write one encrypted backup to BACKUP_TARGET, then prune old ones."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sorority.core import backup


class Command(BaseCommand):
    help = (
        "Write an encrypted backup (no identity document, no key) and prune old ones."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-prune",
            action="store_true",
            help="Keep backups past the retention period.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path = backup.backup_create()
            removed = [] if options["no_prune"] else backup.prune()
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backup written: {path} ({path.stat().st_size} bytes)")
        if removed:
            self.stdout.write(f"Pruned {len(removed)} old backup(s).")
