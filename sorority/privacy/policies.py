"""Who may use the privacy features, and whether the abuser flags are switched on."""

from typing import TYPE_CHECKING

from django.conf import settings

from sorority.accounts.policies import AnyUser, is_member

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from sorority.privacy.models import AbuserFlag


def abuser_flags_enabled() -> bool:
    """Abuser flags stay off until legal review and DPIA sign-off (docs/security.md §27)."""
    return bool(getattr(settings, "ABUSER_FLAGS_ENABLED", False))


def can_file_abuser_flag(user: AnyUser) -> bool:
    """Members (association staff included) may flag; applicants may not."""
    return abuser_flags_enabled() and is_member(user)


def flags_visible_to(user: AnyUser) -> "QuerySet[AbuserFlag]":
    """Her own flags, the only ones she may see or withdraw."""
    from sorority.privacy.models import AbuserFlag

    if not user.is_authenticated:
        return AbuserFlag.objects.none()
    return AbuserFlag.objects.filter(member=user)
