"""Scheduled work of the core: the worker's heartbeat, pruning of finished tasks."""

from django.conf import settings

from sorority.core import tasks
from sorority.core.scheduler import Job

JOBS = [
    Job(
        "core.worker_heartbeat",
        settings.WORKER_HEARTBEAT_SECONDS,
        tasks.worker_heartbeat,
    ),
    Job("core.requeue_abandoned", 300, tasks.requeue_abandoned),
    Job("core.housekeeping", 3600, tasks.housekeeping),
]
