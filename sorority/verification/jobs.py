"""Scheduled jobs: expiry of stale cases and reconciliation of the vault (SECURITY.md 12, 18)."""

from sorority.core.scheduler import Job


def expire() -> int:
    from sorority.verification.services import verifications_expire

    return verifications_expire()


def reconcile() -> int:
    from sorority.verification.services import vault_reconcile

    return vault_reconcile()


JOBS = [
    Job("verification_expire", 15 * 60, expire),
    Job("verification_reconcile", 60 * 60, reconcile),
]
