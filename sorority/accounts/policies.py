"""Who a person is to the platform: her state and roles, asked by every view."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.http import HttpRequest

from sorority.accounts.models import RoleAssignment, User
from sorority.core.access import Access, Denial

AnyUser = User | AnonymousUser

_APPLICANT_STATES = {
    User.Status.APPLICANT,
    User.Status.PENDING,
    User.Status.RESUBMIT,
    User.Status.REFUSED,
}


def roles_of(user: AnyUser) -> frozenset[str]:
    """Return the role names of a person (cached on the instance for the request)."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_sorority_roles", None)
    if cached is None:
        cached = frozenset(
            RoleAssignment.objects.filter(user=user).values_list("role", flat=True)
        )
        user._sorority_roles = cached  # type: ignore[union-attr]
    return cached


def is_applicant(user: AnyUser) -> bool:
    return user.is_authenticated and user.status in _APPLICANT_STATES


def is_member(user: AnyUser) -> bool:
    return user.is_authenticated and user.is_active and user.status == User.Status.MEMBER


def is_moderator(user: AnyUser) -> bool:
    return is_member(user) and RoleAssignment.Role.MODERATOR in roles_of(user)


def is_association_staff(user: AnyUser) -> bool:
    return is_member(user) and RoleAssignment.Role.ASSOCIATION_STAFF in roles_of(user)


def allowed_second_factors() -> set[str]:
    """Second-factor types that count for moderators (WebAuthn; TOTP if allowed)."""
    types = {"webauthn"}
    if settings.MODERATOR_ALLOW_TOTP:
        types.add("totp")
    return types


def has_second_factor(user: AnyUser) -> bool:
    """Say whether the person has enrolled an accepted second factor."""
    from allauth.mfa.models import Authenticator

    return (
        user.is_authenticated
        and Authenticator.objects.filter(
            user=user, type__in=allowed_second_factors()
        ).exists()
    )


def session_used_second_factor(request: HttpRequest | None) -> bool:
    """Say whether this session was signed in with an accepted second factor."""
    from allauth.account.authentication import get_authentication_records

    if request is None or not request.user.is_authenticated:
        return False
    records = get_authentication_records(request, request.user)
    # A passkey login is recorded as an "mfa" record of type "webauthn" too.
    return any(
        record.get("method") == "mfa" and record.get("type") in allowed_second_factors()
        for record in records
    )


def access_denial(
    user: AnyUser, rule: Access, request: HttpRequest | None = None
) -> Denial | None:
    """Return why a person may not use something under `rule`, or None if she may."""
    if rule is Access.PUBLIC:
        return None
    if not user.is_authenticated:
        return Denial.NOT_AUTHENTICATED
    if user.status == User.Status.BANNED or not user.is_active:
        return Denial.BANNED
    if rule is Access.SIGNED_IN:
        return None
    if not is_member(user):
        return Denial.VERIFICATION_REQUIRED
    if rule is Access.MEMBER:
        return None
    if rule is Access.ASSOCIATION_STAFF:
        return None if is_association_staff(user) else Denial.FORBIDDEN
    if rule is Access.MODERATOR:
        if not is_moderator(user):
            return Denial.FORBIDDEN
        if request is not None and not session_used_second_factor(request):
            return Denial.SECOND_FACTOR_REQUIRED
        if request is None and not has_second_factor(user):
            return Denial.SECOND_FACTOR_REQUIRED
        return None
    return Denial.FORBIDDEN


def blocked_user_ids(user: AnyUser) -> set[int]:
    """Return the ids of everyone she blocked or who blocked her (both directions)."""
    from sorority.accounts.models import Block

    if not user.is_authenticated:
        return set()
    pairs = Block.objects.filter(
        models.Q(blocker=user) | models.Q(blocked=user)
    ).values_list("blocker_id", "blocked_id")
    return {other for pair in pairs for other in pair if other != user.pk}


def is_blocked_between(a: AnyUser, b_id: int) -> bool:
    """Say whether a block exists between two people, in either direction."""
    return b_id in blocked_user_ids(a)
