"""Compile every translation catalogue (.po → .mo) with polib: no gettext, no settings.

`python -m sorority.core.catalogues` (what `make` runs) or `manage.py compile_catalogues`.
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]


def compile_all(root: Path = ROOT) -> int:
    """Compile every `locale/*/LC_MESSAGES/*.po` below `root`; return how many."""
    count = 0
    for po_path in sorted(root.rglob("locale/*/LC_MESSAGES/*.po")):
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
        count += 1
    return count


if __name__ == "__main__":
    sys.stdout.write(f"Compiled {compile_all()} catalogue(s).\n")
