"""`manage.py seed_demo`: seed the demo community and write the demo logins."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.test.utils import override_settings

from sorority.core.demo import seed_all


class Command(BaseCommand):
    help = "Seed a demo community (idempotent) and write var/demo-accounts.json."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "var" / "demo-accounts.json"))

    def handle(self, *args: object, output: str, **options: object) -> None:
        # Demo notifications (e.g. to demo hosts) are not worth printing: keep them in memory.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            ctx = seed_all()
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(ctx.logins, indent=2, ensure_ascii=False) + "\n")
        self.stdout.write(f"Demo logins (demo only, written to {path}):")
        for login in ctx.logins:
            extra = f"  TOTP secret {login['totp_secret']}" if "totp_secret" in login else ""
            self.stdout.write(f"  {login['role']:<18} {login['email']:<34} {login['password']}{extra}")
        if any("totp_secret" in login for login in ctx.logins):
            self.stdout.write(
                "  Moderator second factor: .venv/bin/python manage.py totp_code <TOTP secret>"
            )
        for note in ctx.notes:
            self.stdout.write(f"  {note}")
