"""Background tasks of the core: e-mails, heartbeat, housekeeping."""

from sorority.core import notify, scheduler, tasking
from sorority.core.tasking import background


@background()
def send_notice(user_id: int, subject: str, body: str, link_path: str = "") -> bool:
    return notify.notice_send(
        user_id=user_id, subject=subject, body=body, link_path=link_path
    )


@background(forget=True)
def send_message(message: dict) -> None:
    notify.message_send(message)


@background(priority=50)
def worker_heartbeat() -> None:
    tasking.beat(tasking.WORKER, force=True)


@background(priority=40)
def requeue_abandoned() -> int:
    return tasking.requeue_abandoned()


@background()
def housekeeping() -> int:
    return tasking.prune_finished() + scheduler.prune_scheduled_runs()
