"""Screenshots for review (docs: every changed page at 390x844 and 1280x800).

Saved only when `E2E_SHOTS_DIR` is set, e.g. `E2E_SHOTS_DIR=/tmp/shots pytest tests/e2e`.
"""

import os
from pathlib import Path

SIZES = ((390, 844), (1280, 800))


def shoot(page, name: str, *, sizes: tuple = SIZES) -> None:
    """Save full-page screenshots of `page` at each size, then restore the viewport."""
    folder = os.environ.get("E2E_SHOTS_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    for width, height in sizes:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)
    if before:
        page.set_viewport_size(before)
