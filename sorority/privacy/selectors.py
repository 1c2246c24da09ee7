"""Reads of the privacy app: the export, flag look-ups, a person's sessions."""

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from sorority.core.personal_data import registered
from sorority.privacy.models import AbuserFlag

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from sorority.accounts.models import User

EXPORT_FORMAT = "sorority-export/1"


def export_build(*, user: "User") -> dict:
    """Return everything the platform holds about her, app by app, from the registry."""
    return {
        "format": EXPORT_FORMAT,
        "generated_at": timezone.now().isoformat(),
        "data": {entry.app_label: entry.export(user) for entry in registered()},
    }


def flag_matches(tags: dict[int, str]) -> bool:
    """Say whether any active abuser flag carries one of these tags.

    `tags` maps key versions to tags computed with purpose "flag" (for example by
    `sorority.verification.identity.all_tags(..., purpose="flag")`). The answer is a
    bare yes/no: it never tells who filed the flag, how many did, or when (docs/security.md
    27). Works whether or not the feature is switched on, so that flags kept while it
    was on still route a case to a senior moderator.
    """
    if not tags:
        return False
    condition = Q()
    for version, tag in tags.items():
        condition |= Q(key_version=version, tag=tag)
    return AbuserFlag.objects.filter(condition, expires_at__gt=timezone.now()).exists()


def flag_matches_identity(
    *, family_name: str, given_names: str, birth_date: datetime.date | None
) -> bool:
    """Say whether an identity (as transcribed at verification) matches a flag.

    Flags may have been filed without a birth date, so both the dated and the
    undated tags are looked up, under every key version.
    """
    from sorority.verification.identity import all_tags

    keyring = settings.IDENTITY_TAG_KEYS
    dates = {birth_date, None}
    for date in dates:
        try:
            tags = all_tags(
                family_name=family_name,
                given_names=given_names,
                birth_date=date,
                keyring=keyring,
                purpose="flag",
            )
        except (TypeError, ValueError):
            return False
        if flag_matches(tags):
            return True
    return False


def flags_of(*, user: "User") -> "QuerySet[AbuserFlag]":
    """Her active flags, oldest first (dates only are ever shown)."""
    return AbuserFlag.objects.filter(member=user, expires_at__gt=timezone.now()).order_by(
        "created_at"
    )


def sessions_of(*, user: "User") -> list:
    """Her live sessions and devices (dead ones are purged on the way)."""
    from allauth.usersessions.models import UserSession

    return sorted(
        UserSession.objects.purge_and_list(user),
        key=lambda s: s.last_seen_at,
        reverse=True,
    )
