"""The database task backend with a real worker (the one test module that uses it).

The other modules use the immediate backend. Here every task goes to the database
queue and is run by django-tasks-db's worker: its own loop in this process (SQLite
and PostgreSQL), and `manage.py db_worker` / `manage.py run_scheduler` as separate
processes (PostgreSQL only: SQLite's in-memory test database is not visible to
another process).
"""

import datetime
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, connections
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from conftest import sign_in
from sorority.accounts.tests.factories import PASSWORD, UserFactory
from sorority.core import health, tasks
from sorority.core.models import Heartbeat, ScheduledRun
from sorority.core.scheduler import Job, all_jobs, tick
from sorority.verification import vault
from sorority.verification.models import EvidenceDocument, VerificationRequest
from sorority.verification.tests.conftest import submit_via_api

logger = logging.getLogger(__name__)

pytestmark = pytest.mark.django_db(transaction=True)

DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
BASE = "/api/v1/moderation/verifications"
ROOT = Path(__file__).resolve().parents[3]
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.fixture(autouse=True)
def database_tasks(settings):
    settings.TASKS = DB_BACKEND
    settings.REDIS_URL = ""
    health.forget_cached()


def run_worker() -> None:
    """django-tasks-db's worker loop, until the queue is empty."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def queued(path_end: str, status: str = TaskResultStatus.READY) -> int:
    return DBTaskResult.objects.filter(
        task_path__endswith=path_end, status=status
    ).count()


def submitted_case(client, moderator) -> VerificationRequest:
    applicant = UserFactory(status="applicant")
    sign_in(client, applicant)
    assert submit_via_api(client).status_code == 201
    case = VerificationRequest.objects.get(user=applicant)
    sign_in(client, moderator, second_factor=True)
    assert client.post(f"{BASE}/{case.pk}/claim").status_code == 200
    return case


def decide(client, case: VerificationRequest):
    from sorority.verification import services

    payload = {
        "decision": "approve",
        "reason": None,
        "checklist": dict.fromkeys(services.CHECKLIST, True),
        "family_name": "Durand",
        "given_names": "Anne",
        "birth_date": "1987-06-05",
    }
    return client.post(
        f"{BASE}/{case.pk}/decision", payload, content_type="application/json"
    )


def vault_files(case: VerificationRequest) -> list[str]:
    return vault.list_folder(vault.folder(str(case.pk)))[1]


def test_a_decision_shreds_at_once_and_the_worker_deletes_the_objects(
    client, moderator
):
    case = submitted_case(client, moderator)
    assert len(vault_files(case)) == 5
    mail.outbox.clear()

    assert decide(client, case).status_code == 200

    # At the answer: key and document rows are gone, what is left is unreadable.
    case.refresh_from_db()
    assert case.wrapped_dek is None
    assert case.key_version is None
    assert not EvidenceDocument.objects.filter(request=case).exists()
    # The ciphertext objects and the e-mail wait for the worker.
    assert len(vault_files(case)) == 5
    assert mail.outbox == []
    assert queued("verification.tasks.delete_vault_objects") == 1
    assert queued("core.tasks.send_notice") == 1

    run_worker()

    assert vault_files(case) == []
    assert [m.subject for m in mail.outbox] == ["Du nouveau sur votre compte"]
    assert (
        queued("verification.tasks.delete_vault_objects", TaskResultStatus.SUCCESSFUL)
        == 1
    )
    assert queued("core.tasks.send_notice", TaskResultStatus.SUCCESSFUL) == 1


def test_a_task_written_in_a_failed_transaction_is_never_run(client, moderator):
    case = submitted_case(client, moderator)
    before = DBTaskResult.objects.count()
    response = decide(client, case)  # first decision: fine
    assert response.status_code == 200
    assert decide(client, case).status_code == 409  # no longer hers: rolled back
    assert DBTaskResult.objects.count() == before + 2  # only the first decision's


def test_the_erasure_notice_leaves_no_address_in_the_queue(client):
    person = UserFactory(status="member")
    sign_in(client, person)
    mail.outbox.clear()
    response = client.delete(
        "/api/v1/me", {"password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200
    row = DBTaskResult.objects.get(task_path__endswith="core.tasks.send_message")
    assert person.email in str(
        row.args_kwargs
    )  # she no longer exists: it has to travel

    run_worker()

    assert [m.to for m in mail.outbox] == [[person.email]]
    assert not DBTaskResult.objects.filter(pk=row.pk).exists()
    everything = "".join(
        str(r.args_kwargs) + str(r.traceback) for r in DBTaskResult.objects.all()
    )
    assert person.email not in everything


def test_a_failed_task_keeps_the_error_class_not_its_message(settings):
    person = UserFactory(status="member")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there
    tasks.send_notice.enqueue(user_id=person.pk, subject="S", body="B")

    run_worker()

    row = DBTaskResult.objects.get(task_path__endswith="core.tasks.send_notice")
    assert row.status == TaskResultStatus.FAILED
    assert "TaskFailed: ConnectionRefusedError" in row.traceback
    assert "refused" not in row.traceback.lower().replace("connectionrefusederror", "")
    assert person.email not in row.traceback


def test_a_task_left_running_by_a_killed_worker_runs_again(settings):
    settings.TASK_RUNNING_TIMEOUT_MINUTES = 30
    tasks.worker_heartbeat.enqueue()
    row = DBTaskResult.objects.get()
    row.claim("killed-worker")  # what a worker does before running it; then SIGKILL
    DBTaskResult.objects.filter(pk=row.pk).update(
        started_at=row.started_at - datetime.timedelta(minutes=31)
    )
    tasks.requeue_abandoned.enqueue()

    run_worker()

    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids == ["killed-worker", "test-worker"]


def test_a_task_still_running_in_time_is_left_alone(settings):
    tasks.worker_heartbeat.enqueue()
    row = DBTaskResult.objects.get()
    row.claim("busy-worker")
    tasks.requeue_abandoned.enqueue()

    run_worker()

    row.refresh_from_db()
    assert row.status == TaskResultStatus.RUNNING


def _jobs_and_moments() -> tuple[list[Job], list[datetime.datetime]]:
    jobs = [job for job in all_jobs() if job.name == "core.worker_heartbeat"]
    jobs.append(Job("test.fast", 1, tasks.worker_heartbeat))
    start = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    return jobs, [start + datetime.timedelta(seconds=s / 2) for s in range(20)]  # 10 s


def _assert_each_slot_enqueued_once(jobs, moments) -> None:
    fast_slots = {jobs[1].slot(now) for now in moments}
    heartbeat_slots = {jobs[0].slot(now) for now in moments}
    assert ScheduledRun.objects.filter(job="test.fast").count() == len(fast_slots) == 10
    assert ScheduledRun.objects.filter(job="core.worker_heartbeat").count() == len(
        heartbeat_slots
    )
    # One task row per claimed slot, never two.
    assert DBTaskResult.objects.count() == len(fast_slots) + len(heartbeat_slots)


def test_a_second_scheduler_finds_each_slot_claimed():
    jobs, moments = _jobs_and_moments()
    for now in moments:
        assert tick(jobs, now=now) or True
        assert tick(jobs, now=now) == []  # the other machine, a moment later
    _assert_each_slot_enqueued_once(jobs, moments)


@pytest.mark.skipif(
    not ON_POSTGRES,
    reason="SQLite's shared in-memory test DB refuses concurrent writers",
)
def test_two_concurrent_schedulers_enqueue_each_job_slot_exactly_once():
    jobs, moments = _jobs_and_moments()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def scheduler() -> None:
        try:
            for now in moments:
                barrier.wait(timeout=10)
                tick(jobs, now=now)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    _assert_each_slot_enqueued_once(jobs, moments)


# ---------------------------------------------------------------------------
# Separate processes (PostgreSQL only)
# ---------------------------------------------------------------------------
def _process_env(**extra: str) -> dict[str, str]:
    url = urlsplit(os.environ["DATABASE_URL"])
    test_db = connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "DATABASE_URL": urlunsplit(url._replace(path=f"/{test_db}")),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "VAULT_ROOT": str(settings.STORAGES["vault"]["OPTIONS"]["location"]),
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "REDIS_URL": "",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }
    return env


def _start(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 (this interpreter, our own manage.py)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _until(condition, timeout: float = 30.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


@pytest.mark.skipif(
    not ON_POSTGRES, reason="another process cannot see SQLite's in-memory test DB"
)
def test_real_worker_and_two_schedulers(client, moderator, settings, tmp_path):
    settings.HEARTBEAT_MAX_AGE_SECONDS = 4
    case = submitted_case(client, moderator)
    env = _process_env(SCHEDULER_TICK_SECONDS="1", WORKER_HEARTBEAT_SECONDS="1")
    worker = _start(
        "db_worker", "--interval", "0.2", "--no-reload", env=env, log=tmp_path / "w.log"
    )
    schedulers = [
        _start("run_scheduler", env=env, log=tmp_path / f"s{i}.log") for i in range(2)
    ]
    try:
        # Both heartbeats come in: the schedulers tick, the worker runs their task.
        _until(lambda: client.get("/readyz").status_code == 200)
        started = time.monotonic()
        assert decide(client, case).status_code == 200
        _until(lambda: vault_files(case) == [], timeout=15)
        purge_seconds = time.monotonic() - started
        _until(
            lambda: b"Du nouveau sur votre compte" in (tmp_path / "w.log").read_bytes()
        )
        assert purge_seconds < 5, purge_seconds
        logger.info(f"decision -> vault objects deleted by the worker: {purge_seconds:.2f} s")
        time.sleep(3)  # a few more slots, claimed by two schedulers
    finally:
        for process in schedulers:
            _stop(process)
    try:
        slots = list(
            ScheduledRun.objects.filter(job="core.worker_heartbeat").values_list(
                "slot", flat=True
            )
        )
        assert len(slots) >= 3
        runs = DBTaskResult.objects.filter(
            task_path__endswith="core.tasks.worker_heartbeat"
        )
        assert runs.count() == len(slots)  # each slot enqueued once, by one of the two
        _until(lambda: not runs.exclude(status=TaskResultStatus.SUCCESSFUL).exists())
    finally:
        _stop(worker)

    # Nobody beats any more: readiness fails once the heartbeats are too old.
    def both_stale() -> bool:
        response = client.get("/readyz")
        checks = response.json()["checks"]
        return (
            response.status_code == 503
            and checks["worker"] == checks["scheduler"] == "fail"
        )

    _until(both_stale, timeout=10)
    assert Heartbeat.objects.count() == 2
