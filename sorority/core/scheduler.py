"""Scheduled jobs: each app lists its own in a `jobs.py` with `JOBS = [Job(...)]`.

A job is a background task run every `every_seconds`. Time is cut into slots
(`epoch_seconds // every_seconds`); a scheduler that sees a slot not yet claimed
inserts a `ScheduledRun(job, slot)` row and, in the same transaction, enqueues the
task. The unique constraint on `(job, slot)` makes the slot run once however many
schedulers run on however many machines: the second insert fails and that scheduler
moves on. The scheduler never runs the work itself; the task worker does
(docs/architecture.md, "Processes and tasks").
"""

import datetime
import logging
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks.base import Task

from sorority.core.tasking import SCHEDULER, beat, enqueue_with_transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: int
    task: Task[[], Any]

    def run(self) -> object:
        """Run the job's work here and now (`manage.py purge_expired`, tests)."""
        return self.task.call()

    def slot(self, now: datetime.datetime) -> int:
        return int(now.timestamp()) // self.every_seconds


def all_jobs() -> list[Job]:
    jobs: list[Job] = []
    for config in apps.get_app_configs():
        if config.name.startswith("sorority.") and find_spec(f"{config.name}.jobs"):
            jobs += import_module(f"{config.name}.jobs").JOBS
    return jobs


def run_job(job: Job) -> bool:
    """Run one job in this process, logging (without personal data) instead of raising."""
    try:
        job.run()
    except Exception:
        logger.exception("Scheduled job %s failed", job.name)
        return False
    return True


def tick(jobs: list[Job], *, now: datetime.datetime | None = None) -> list[str]:
    """Claim every job whose current slot nobody claimed yet and enqueue its task.

    Returns the names of the jobs this call enqueued. Safe to call from any number
    of processes at once: each (job, slot) is enqueued by exactly one of them.
    """
    from sorority.core.models import ScheduledRun

    now = now or timezone.now()
    slots = {job.name: job.slot(now) for job in jobs}
    claimed: set[tuple[str, int]] = set()
    if jobs:
        wanted = Q()
        for name, slot in slots.items():
            wanted |= Q(job=name, slot=slot)
        claimed = set(ScheduledRun.objects.filter(wanted).values_list("job", "slot"))
    enqueued = []
    for job in jobs:
        if (job.name, slots[job.name]) in claimed:
            continue
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=job.name, slot=slots[job.name])
                enqueue_with_transaction(job.task)
        except IntegrityError:
            continue  # another scheduler claimed this slot first
        enqueued.append(job.name)
    beat(SCHEDULER, force=True)
    return enqueued


def prune_scheduled_runs(
    *, keep: datetime.timedelta = datetime.timedelta(days=7)
) -> int:
    """Forget claimed slots older than `keep` (a slot never comes back)."""
    from sorority.core.models import ScheduledRun

    deleted, _rows = ScheduledRun.objects.filter(
        enqueued_at__lt=timezone.now() - keep
    ).delete()
    return deleted
