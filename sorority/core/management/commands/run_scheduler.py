"""`manage.py run_scheduler [--once]`: run every app's scheduled jobs on time."""

import time

from django.core.management.base import BaseCommand, CommandParser

from sorority.core.scheduler import all_jobs, run_job


class Command(BaseCommand):
    help = "Run the scheduled jobs (purges, expiries, reminders) in a loop, or once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run every job once and exit.")

    def handle(self, *args: object, once: bool, **options: object) -> None:
        jobs = all_jobs()
        if once:
            for job in jobs:
                run_job(job)
            self.stdout.write(f"Ran {len(jobs)} job(s).")
            return
        next_run = dict.fromkeys((job.name for job in jobs), 0.0)
        while True:
            now = time.monotonic()
            for job in jobs:
                if now >= next_run[job.name]:
                    run_job(job)
                    next_run[job.name] = now + job.every_seconds
            time.sleep(5)
