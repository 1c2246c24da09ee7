"""Scheduled: "available tonight" turns itself off; date ranges start and end."""

from sorority.core.scheduler import Job
from sorority.places.services import offers_refresh_availability

JOBS = [Job("places.refresh_availability", 300, offers_refresh_availability)]
