"""Scheduled jobs: expiry of stale cases and reconciliation of the vault (docs/security.md §12, 18)."""

from sorority.core.scheduler import Job
from sorority.verification import tasks

JOBS = [
    Job("verification_expire", 15 * 60, tasks.expire),
    Job("verification_reconcile", 60 * 60, tasks.reconcile),
]
