"""Retention jobs of the privacy app (docs/security.md §27, docs/architecture.md privacy model).

- expired abuser flags are deleted;
- erasure records are kept 3 years;
- applicants who never got verified and have not signed in for
  `INACTIVE_APPLICANT_DAYS` (default 90) days are erased through the same service
  as a requested erasure.
"""

import datetime
import logging

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from sorority.core.scheduler import Job
from sorority.privacy import tasks

logger = logging.getLogger(__name__)

APPLICANT_STATES = ("applicant", "pending", "resubmit", "refused")


def purge_expired_flags() -> int:
    """Delete every abuser flag past its expiry date. Return how many."""
    from sorority.privacy.models import AbuserFlag

    deleted, _rows = AbuserFlag.objects.filter(expires_at__lte=timezone.now()).delete()
    if deleted:
        logger.info("Expired abuser flags deleted: %d", deleted)
    return deleted


def erase_inactive_applicants() -> int:
    """Erase applicants never verified and not seen for the configured days."""
    from sorority.accounts.models import User
    from sorority.privacy.models import ErasureRecord
    from sorority.privacy.services import account_erase

    days = getattr(settings, "INACTIVE_APPLICANT_DAYS", 90)
    cutoff = timezone.now() - datetime.timedelta(days=days)
    people = (
        User.objects.filter(status__in=APPLICANT_STATES, is_staff=False, is_superuser=False)
        .annotate(seen=Coalesce("last_login", "date_joined"))
        .filter(Q(seen__lt=cutoff))
    )
    count = 0
    for user in people.iterator():
        account_erase(user=user, reason=ErasureRecord.Reason.INACTIVE_APPLICANT)
        count += 1
    if count:
        logger.info("Inactive applicants erased: %d", count)
    return count


def purge_old_erasure_records() -> int:
    """Delete erasure records older than 3 years (they identify no one anyway)."""
    from sorority.privacy.models import ErasureRecord

    cutoff = timezone.now() - datetime.timedelta(days=3 * 365)
    deleted, _rows = ErasureRecord.objects.filter(erased_at__lt=cutoff).delete()
    return deleted


JOBS = [
    Job("privacy.expired_flags", 3600, tasks.expired_flags),
    Job("privacy.inactive_applicants", 6 * 3600, tasks.inactive_applicants),
    Job("privacy.old_erasure_records", 24 * 3600, tasks.old_erasure_records),
]
