"""`Server-Timing` for the moderator console: what each step costs on the server.

Names and durations only (no identifiers); read by `bench/moderation.py` and the
browser's own timing panel. The console pages are moderators-only.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.http import HttpResponse


class ServerTiming:
    def __init__(self) -> None:
        self.entries: list[tuple[str, float]] = []

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.entries.append((name, (time.perf_counter() - started) * 1000))

    def apply(self, response: HttpResponse) -> HttpResponse:
        if self.entries:
            response["Server-Timing"] = ", ".join(
                f"{name};dur={ms:.2f}" for name, ms in self.entries
            )
        return response
