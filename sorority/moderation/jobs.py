"""Scheduled work of moderation: give access back when a suspension ends."""

from sorority.core.scheduler import Job
from sorority.moderation import tasks

JOBS = [Job("moderation.lift_suspensions", 600, tasks.lift_suspensions)]
