"""`manage.py compile_catalogues`: compile every .po file to .mo with polib.

Needs no system gettext, so a fresh machine can compile the catalogues.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile all translation catalogues of the project (no gettext needed)."

    def handle(self, *args: object, **options: object) -> None:
        root = Path(settings.BASE_DIR) / "sorority"
        count = 0
        for po_path in sorted(root.rglob("locale/*/LC_MESSAGES/*.po")):
            polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
            count += 1
        self.stdout.write(f"Compiled {count} catalogue(s).")
