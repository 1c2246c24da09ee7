"""`manage.py purge_expired`: run every app's retention and scheduled jobs once."""

from django.core.management.base import BaseCommand, CommandError

from sorority.core.scheduler import all_jobs, run_job


class Command(BaseCommand):
    help = "Run all retention jobs of all apps once (expired data, inactive applicants)."

    def handle(self, *args: object, **options: object) -> None:
        failed = []
        jobs = all_jobs()
        for job in jobs:
            ok = run_job(job)
            self.stdout.write(f"{job.name}: {'ok' if ok else 'FAILED'}")
            if not ok:
                failed.append(job.name)
        if failed:
            raise CommandError(f"{len(failed)} job(s) failed: {', '.join(failed)}")
        self.stdout.write(f"Ran {len(jobs)} job(s).")
