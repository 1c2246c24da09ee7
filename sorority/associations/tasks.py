"""Background tasks of associations: follow-up reminders, missed check-ins, retention."""

from sorority.core.tasking import background


@background()
def follow_up_reminders() -> int:
    from sorority.associations.services import follow_ups_remind

    return follow_ups_remind()


@background()
def missed_check_ins() -> int:
    from sorority.associations.services import follow_ups_flag_missed

    return follow_ups_flag_missed()


@background()
def case_notes_retention() -> int:
    from sorority.associations.services import case_purge_expired_notes

    return case_purge_expired_notes()


@background()
def deliver_requests(request_ids: list[int]) -> int:
    from sorority.associations.services.outreach import requests_deliver

    return requests_deliver(request_ids=request_ids)


@background()
def tell_released(request_ids: list[int], sender_id: int) -> int:
    from sorority.associations.services.outreach import released_tell

    return released_tell(request_ids=request_ids, sender_id=sender_id)
