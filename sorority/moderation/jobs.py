"""Scheduled work of moderation: give access back when a suspension ends."""

from sorority.core.scheduler import Job
from sorority.moderation.services import suspensions_lift_expired

JOBS = [Job("moderation.lift_suspensions", 600, suspensions_lift_expired)]
