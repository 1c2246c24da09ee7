"""`manage.py compile_catalogues`: compile every .po file to .mo with polib.

Needs no system gettext, so a fresh machine can compile the catalogues.
"""

from django.core.management.base import BaseCommand

from sorority.core.catalogues import compile_all


class Command(BaseCommand):
    help = "Compile all translation catalogues of the project (no gettext needed)."
    requires_system_checks: list[str] = []

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(f"Compiled {compile_all()} catalogue(s).")
