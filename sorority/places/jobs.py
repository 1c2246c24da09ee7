"""Scheduled: "available tonight" turns itself off; date ranges start and end."""

from sorority.core.scheduler import Job
from sorority.places import tasks

JOBS = [Job("places.refresh_availability", 300, tasks.refresh_availability)]
