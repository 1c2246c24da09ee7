"""Who a person is to the platform: her state and roles, asked by every view."""

import datetime
import time
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

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


# Set on the user object of a request by `mark_second_factor` (the access middleware,
# the API's auth, the enrolment gate): whether *this session* was signed in with an
# accepted second factor. Absent means no: a user loaded any other way is never an
# effective moderator (docs/security.md, "Moderator powers").
SECOND_FACTOR_ATTR = "_sorority_session_second_factor"


def holds_moderator_role(user: AnyUser) -> bool:
    """Say whether she holds the moderator role, whatever her session proved.

    Grants no power: for the idle timeout, the enrolment gate and operator tools only.
    """
    return is_member(user) and RoleAssignment.Role.MODERATOR in roles_of(user)


def is_moderator(user: AnyUser) -> bool:
    """Say whether she is an *effective* moderator: the role and a second-factor session.

    The session's factor state travels on the user object (`mark_second_factor`), so
    policies and services that only receive a user still ask the right question.
    """
    return holds_moderator_role(user) and getattr(user, SECOND_FACTOR_ATTR, False) is True


def for_operator_task(user: User) -> User:
    """Mark a user object used by a trusted server-side task (demo seeding, a command).

    No session exists there: the operator running it stands for the second factor.
    Never call this on a user that came from a request.
    """
    setattr(user, SECOND_FACTOR_ATTR, True)
    return user


def vouched_by(user: User, voucher: AnyUser) -> User:
    """Let a write recorded in `user`'s name ride on `voucher`'s second-factor session.

    For a record kept in the name of someone absent (the proposer of a ban that a
    second moderator approves now): she still needs the role, the factor is the voucher's.
    """
    setattr(user, SECOND_FACTOR_ATTR, is_moderator(voucher))
    return user


def mark_second_factor(user: AnyUser, request: HttpRequest | None) -> None:
    """Record on the user object whether this request's session used a second factor."""
    if user.is_authenticated:
        setattr(user, SECOND_FACTOR_ATTR, session_used_second_factor(request, user))


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


def session_used_second_factor(
    request: HttpRequest | None, user: AnyUser | None = None
) -> bool:
    """Say whether this session was signed in with an accepted second factor."""
    from allauth.account.authentication import get_authentication_records

    user = user if user is not None else getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return False
    if getattr(request, "session", None) is None:
        return False
    records = get_authentication_records(request, user)
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
        if not holds_moderator_role(user):
            return Denial.FORBIDDEN
        if request is not None:
            mark_second_factor(user, request)
        # Without a request (a WebSocket, a job) only a user marked by the request
        # that authenticated her counts; never the mere existence of a factor.
        return None if is_moderator(user) else Denial.SECOND_FACTOR_REQUIRED
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


# --- adding a factor to a privileged account ---------------------------------------


def is_privileged(user: AnyUser) -> bool:
    """Accounts whose factor is a key to power: moderators, and the Django admin's staff.

    Association staff are not: their powers need no second factor today, so gating
    their enrolment would protect nothing (docs/security.md, "Moderator powers").
    """
    return user.is_authenticated and (
        holds_moderator_role(user) or bool(getattr(user, "is_staff", False))
    )


def _factor_window() -> int:
    return int(getattr(settings, "ACCOUNT_REAUTHENTICATION_TIMEOUT", 15 * 60))


def recently_used_a_factor(session: object, user: AnyUser) -> bool:
    """Say whether this session signed in or re-authenticated with any of her factors
    within the re-authentication window (a recovery code counts: it is one)."""
    from allauth.account.authentication import get_authentication_records

    if session is None or not user.is_authenticated:
        return False
    records = get_authentication_records(SimpleNamespace(session=session), user)
    now = time.time()
    return any(
        record.get("method") == "mfa"
        and now - float(record.get("at", 0)) < _factor_window()
        for record in records
    )


def enrolment_grant_active(session: object, user: AnyUser) -> bool:
    """Say whether this very session redeemed her enrolment code a moment ago."""
    from sorority.accounts.models import EnrolmentCode
    from sorority.accounts.services import enrolment_session_hash

    key = getattr(session, "session_key", None)
    if not key or not user.is_authenticated:
        return False
    since = timezone.now() - datetime.timedelta(seconds=_factor_window())
    return EnrolmentCode.objects.filter(
        user=user, session_hash=enrolment_session_hash(key), redeemed_at__gte=since
    ).exists()


def may_add_second_factor(user: AnyUser, session: object) -> bool:
    """Adding a factor to a privileged account needs more than her password: a recent
    sign-in with an existing factor, or an operator's enrolment code used in this session.
    """
    if not is_privileged(user):
        return True
    return recently_used_a_factor(session, user) or enrolment_grant_active(
        session, user
    )
