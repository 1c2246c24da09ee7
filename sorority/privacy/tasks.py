"""Background tasks of the privacy app: the retention jobs of `jobs.py`."""

from sorority.core.tasking import background


@background()
def expired_flags() -> int:
    from sorority.privacy import jobs

    return jobs.purge_expired_flags()


@background()
def inactive_applicants() -> int:
    from sorority.privacy import jobs

    return jobs.erase_inactive_applicants()


@background()
def old_erasure_records() -> int:
    from sorority.privacy import jobs

    return jobs.purge_old_erasure_records()
