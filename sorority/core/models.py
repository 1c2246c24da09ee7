"""Rows of the process machinery: scheduled slots already claimed, heartbeats.

Neither holds personal data: a job name and a slot number, a process kind and a time.
"""

from django.db import models


class ScheduledRun(models.Model):
    """One claimed slot of a scheduled job: inserted once, whichever machine wins.

    A slot is `epoch_seconds // every_seconds`; the unique constraint is what makes a
    job run once per slot across any number of schedulers (docs/architecture.md,
    "Processes and tasks").
    """

    job = models.CharField(max_length=100)
    slot = models.BigIntegerField()
    enqueued_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="scheduled_run_once")
        ]

    def __str__(self) -> str:
        return f"{self.job}@{self.slot}"


class Heartbeat(models.Model):
    """The last time a background process (`worker`, `scheduler`) showed it was alive."""

    name = models.CharField(max_length=40, primary_key=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name
