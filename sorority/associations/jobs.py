"""Scheduled work: follow-up reminders, missed check-ins, notes past retention."""

from sorority.associations import tasks
from sorority.core.scheduler import Job

JOBS = [
    Job("associations.follow_up_reminders", 600, tasks.follow_up_reminders),
    Job("associations.missed_check_ins", 600, tasks.missed_check_ins),
    Job("associations.case_notes_retention", 3600, tasks.case_notes_retention),
]
