"""Scheduled jobs: each app lists its own in a `jobs.py` with `JOBS = [Job(...)]`."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: int
    run: Callable[[], object]


def all_jobs() -> list[Job]:
    jobs: list[Job] = []
    for config in apps.get_app_configs():
        if config.name.startswith("sorority.") and find_spec(f"{config.name}.jobs"):
            jobs += import_module(f"{config.name}.jobs").JOBS
    return jobs


def run_job(job: Job) -> bool:
    """Run one job, logging (without personal data) instead of raising."""
    try:
        job.run()
    except Exception:
        logger.exception("Scheduled job %s failed", job.name)
        return False
    return True
