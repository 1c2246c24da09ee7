"""`manage.py run_scheduler [--once]`: enqueue every app's scheduled jobs on time.

Any number of these may run, on any number of machines: each job slot is claimed in
the database and enqueued exactly once (`sorority.core.scheduler.tick`). The work
itself is done by the task worker (`manage.py db_worker`), or right away in this
process with the immediate backend (`make run`).
"""

import logging
import signal
import threading
from types import FrameType

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from sorority.core.scheduler import all_jobs, tick

logger = logging.getLogger("sorority.core.scheduler")


class Command(BaseCommand):
    help = "Enqueue the scheduled jobs (purges, expiries, reminders) on time, or once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Claim and enqueue the due slots once, then exit.",
        )

    def handle(self, *args: object, once: bool, **options: object) -> None:
        jobs = all_jobs()
        if once:
            enqueued = tick(jobs)
            self.stdout.write(f"Enqueued {len(enqueued)} of {len(jobs)} job(s).")
            return
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        self.stdout.write(f"Scheduler started: {len(jobs)} job(s).")
        while not stop.is_set():
            close_old_connections()
            try:
                tick(jobs)
            except Exception:  # the database may be away for a moment: try again
                logger.exception("Scheduler tick failed; retrying")
            stop.wait(settings.SCHEDULER_TICK_SECONDS)
