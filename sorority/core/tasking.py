"""Background work through `django-tasks` (docs/architecture.md, "Processes and tasks").

- `background()` declares a task: a one-line wrapper in an app's `tasks.py` calling a
  service with IDs, never model instances (the arguments are stored as JSON).
- `enqueue_with_transaction(task, **kwargs)` queues it so that it runs only if the
  caller's transaction commits. With the database backend the task row is written in
  that same transaction (a crash after the commit loses no task, and the worker
  cannot see it before the commit); with the immediate backend (`make run`, tests) it
  runs right after the commit, as `transaction.on_commit` would.
- A failed task stores and logs its exception's class and stack only, never its
  message: an SMTP refusal, for one, quotes the address.
- Tasks declared with `forget=True` carry something that must not stay in the
  database (an address of an erased person, a rendered sign-in code): their row is
  deleted as soon as the worker has run them, whatever the outcome.
"""

import datetime
import functools
import logging
import time
import traceback
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

FORGET: set[str] = set()
WORKER = "worker"
SCHEDULER = "scheduler"
_BEAT_EVERY = 5.0  # seconds between two heartbeat writes of one process
_last_beat: dict[str, float] = {}


class TaskFailed(Exception):
    """What a failed task leaves behind: the class of the error, not its message."""


def background(
    *, priority: int = 0, forget: bool = False
) -> Callable[[Callable[P, T]], Task[P, T]]:
    """Declare a background task (see the module docstring)."""

    def decorate(func: Callable[P, T]) -> Task[P, T]:
        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> T:
            try:
                return func(*args, **kwargs)
            except Exception as exc:
                stack = "".join(traceback.format_tb(exc.__traceback__))
                logger.error(
                    "Task %s.%s failed: %s\n%s",
                    func.__module__,
                    func.__qualname__,
                    type(exc).__name__,
                    stack,
                )
                raise TaskFailed(type(exc).__name__) from None

        declared: Task[P, T] = task(priority=priority)(run)
        if forget:
            FORGET.add(declared.module_path)
        return declared

    return decorate


def uses_database_backend(declared: Task[Any, Any] | None = None) -> bool:
    """Whether tasks (this one, or the default backend's) go to the database queue."""
    if declared is not None:
        return isinstance(declared.get_backend(), DatabaseBackend)
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)


def enqueue_with_transaction(declared: Task[P, Any], /, **kwargs: Any) -> None:
    """Queue `declared(**kwargs)` to run once the current transaction has committed."""
    if uses_database_backend(declared):
        declared.enqueue(**kwargs)  # same transaction: both rows commit, or neither
    else:
        transaction.on_commit(lambda: declared.enqueue(**kwargs))


def beat(name: str, *, force: bool = False) -> None:
    """Record that the process `name` is alive (at most every few seconds)."""
    from sorority.core.models import Heartbeat

    now = time.monotonic()
    if not force and now - _last_beat.get(name, -_BEAT_EVERY) < _BEAT_EVERY:
        return
    _last_beat[name] = now
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})


def prune_finished() -> int:
    """Delete finished task rows older than `TASK_RESULTS_RETENTION_HOURS`."""
    from django.conf import settings
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - datetime.timedelta(
        hours=settings.TASK_RESULTS_RETENTION_HOURS
    )
    deleted, _rows = (
        DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    )
    return deleted


def requeue_abandoned() -> int:
    """Put back in the queue the tasks left running by a worker that died.

    A worker stopped by SIGTERM finishes its task first; one killed outright leaves
    the row `RUNNING` for ever. After `TASK_RUNNING_TIMEOUT_MINUTES` such a task runs
    again (tasks are written to be run twice without harm: sweeps, and deliveries
    that skip what was delivered).
    """
    from django.conf import settings
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - datetime.timedelta(
        minutes=settings.TASK_RUNNING_TIMEOUT_MINUTES
    )
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=cutoff
    ).update(status=TaskResultStatus.READY, started_at=None)


def task_finished(sender: object, task_result: Any, **kwargs: object) -> None:
    """In the worker: beat, and delete the row of a task that must be forgotten."""
    backend = sender if isinstance(sender, type) else type(sender)
    if not issubclass(backend, DatabaseBackend):
        return
    from django_tasks_db.models import DBTaskResult

    try:
        path = task_result.task.module_path
    except Exception:  # an unimportable task: nothing of ours
        path = ""
    if path in FORGET:
        DBTaskResult.objects.filter(id=task_result.id).delete()
    try:
        beat(WORKER)
    except Exception:
        logger.warning("Worker heartbeat not written")
