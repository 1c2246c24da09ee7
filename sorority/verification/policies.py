"""Who may see which verification case, and when a document may be shown."""

import time

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest

from sorority.accounts.policies import AnyUser, is_moderator
from sorority.verification.models import VerificationRequest

REAUTHENTICATION_WINDOW = 15 * 60


def verifications_visible_to(user: AnyUser) -> QuerySet[VerificationRequest]:
    """Moderators see every case; anyone else only her own."""
    if not user.is_authenticated:
        return VerificationRequest.objects.none()
    if is_moderator(user):
        return VerificationRequest.objects.all()
    return VerificationRequest.objects.filter(user=user)


def can_handle_verification(user: AnyUser, case: VerificationRequest) -> bool:
    """Only the moderator currently assigned may view documents or decide."""
    return (
        is_moderator(user)
        and case.assignee_id is not None
        and case.assignee_id == user.pk
        and case.user_id != user.pk
    )


def recently_authenticated(request: HttpRequest) -> bool:
    """Say whether she signed in or re-authenticated in the last 15 minutes."""
    from allauth.account.authentication import get_authentication_records

    if not request.user.is_authenticated:
        return False
    records = get_authentication_records(request, request.user)
    if not records:
        return False
    window = getattr(settings, "ACCOUNT_REAUTHENTICATION_TIMEOUT", REAUTHENTICATION_WINDOW)
    latest = max(float(record.get("at", 0)) for record in records)
    return time.time() - latest < min(window, REAUTHENTICATION_WINDOW)
