"""Scheduled work: follow-up reminders, missed check-ins, notes past retention."""

from sorority.associations.services import (
    case_purge_expired_notes,
    follow_ups_flag_missed,
    follow_ups_remind,
)
from sorority.core.scheduler import Job

JOBS = [
    Job("associations.follow_up_reminders", 600, lambda: follow_ups_remind()),
    Job("associations.missed_check_ins", 600, lambda: follow_ups_flag_missed()),
    Job("associations.case_notes_retention", 3600, lambda: case_purge_expired_notes()),
]
