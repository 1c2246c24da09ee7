"""Writes about people: state changes and roles, each with its event row."""

import datetime
import secrets

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from sorority.accounts.models import AccountEvent, EnrolmentCode, RoleAssignment, User
from sorority.core import account_state
from sorority.core.account_state import Reason
from sorority.core.errors import ApplicationError, RateLimited


def _event(*, user: User, kind: str, actor: User | None = None, **data: object) -> None:
    AccountEvent.objects.create(user=user, kind=kind, actor=actor, data=data)


@transaction.atomic
def user_record_signup(*, user: User) -> User:
    """Stamp consent on a freshly signed-up person. Emits `signed_up`."""
    user.consented_at = timezone.now()
    user.save(update_fields=["consented_at"])
    _event(user=user, kind=AccountEvent.Kind.SIGNED_UP)
    return user


@transaction.atomic
def user_set_status(*, user: User, status: str, actor: User | None = None) -> User:
    """Move a person to another state. Emits `status_changed` with both states."""
    if status not in User.Status.values:
        raise ApplicationError(f"Unknown status {status!r}.", code="invalid_status")
    previous = user.status
    if previous == status:
        return user
    user.status = status
    # A ban deactivates; lifting one reactivates. Any other change keeps a suspension.
    if status == User.Status.BANNED:
        user.is_active = False
    elif previous == User.Status.BANNED:
        user.is_active = True
    user.full_clean(exclude=["password"])
    user.save(update_fields=["status", "is_active"])
    _event(
        user=user,
        kind=AccountEvent.Kind.STATUS_CHANGED,
        actor=actor,
        previous=previous,
        status=status,
    )
    account_state.changed(user_id=user.pk, reason=Reason.STATUS)
    return user


@transaction.atomic
def user_suspend(*, user: User, actor: User | None = None, **data: object) -> User:
    """Pause a person's access (refused everywhere by `access_denial`). Emits `suspended`."""
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    _event(user=user, kind=AccountEvent.Kind.SUSPENDED, actor=actor, **data)
    account_state.changed(user_id=user.pk, reason=Reason.SUSPENDED)
    return user


@transaction.atomic
def user_reinstate(*, user: User, actor: User | None = None) -> User:
    """Give a suspended person her access back, unless she is banned. Emits `reinstated`."""
    if user.status == User.Status.BANNED:
        return user
    User.objects.filter(pk=user.pk).update(is_active=True)
    user.is_active = True
    _event(user=user, kind=AccountEvent.Kind.REINSTATED, actor=actor)
    account_state.changed(user_id=user.pk, reason=Reason.REINSTATED)
    return user


@transaction.atomic
def user_grant_role(*, user: User, role: str, actor: User | None = None) -> User:
    """Give a person a role. Emits `role_granted`; granting twice changes nothing."""
    if role not in RoleAssignment.Role.values:
        raise ApplicationError(f"Unknown role {role!r}.", code="invalid_role")
    _assignment, created = RoleAssignment.objects.get_or_create(user=user, role=role)
    if created:
        _event(user=user, kind=AccountEvent.Kind.ROLE_GRANTED, actor=actor, role=role)
        account_state.changed(user_id=user.pk, reason=Reason.ROLE)
    user.__dict__.pop("_sorority_roles", None)
    return user


@transaction.atomic
def user_revoke_role(*, user: User, role: str, actor: User | None = None) -> User:
    """Take a role away. Emits `role_revoked` when she had it."""
    deleted, _ = RoleAssignment.objects.filter(user=user, role=role).delete()
    if deleted:
        _event(user=user, kind=AccountEvent.Kind.ROLE_REVOKED, actor=actor, role=role)
        account_state.changed(user_id=user.pk, reason=Reason.ROLE)
    user.__dict__.pop("_sorority_roles", None)
    return user


@transaction.atomic
def user_update_settings(
    *,
    user: User,
    display_name: str | None = None,
    discreet_mode: bool | None = None,
    exit_url: str | None = None,
) -> User:
    """Change a person's own display name, discreet mode or quick-exit destination."""
    if display_name is not None:
        user.display_name = display_name.strip()
    if discreet_mode is not None:
        user.discreet_mode = discreet_mode
    if exit_url is not None:
        user.exit_url = exit_url
    user.full_clean(exclude=["password"])
    user.save(update_fields=["display_name", "discreet_mode", "exit_url"])
    return user


@transaction.atomic
def block_create(*, blocker: User, blocked: User) -> User:
    """Block someone. Emits `blocked` on the blocker's account (idempotent)."""
    from sorority.accounts.models import Block

    if blocker.pk == blocked.pk:
        raise ApplicationError("You cannot block yourself.", code="invalid_block")
    _block, created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    if created:
        _event(user=blocker, kind=AccountEvent.Kind.BLOCKED, other=blocked.pk)
        account_state.changed(user_id=blocker.pk, reason=Reason.BLOCK)
        account_state.changed(user_id=blocked.pk, reason=Reason.BLOCK)
    return blocked


# --- enrolment codes: an operator's one-time step to a first factor ---------------

ENROLMENT_CODE_VALIDITY = datetime.timedelta(hours=24)
# Wrong codes a session may try per window before being told to wait (the codes
# carry 80 random bits: this only keeps a password holder from hammering).
ENROLMENT_CODE_ATTEMPTS = 5
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _normalize_code(code: str) -> str:
    return "".join(ch for ch in str(code).upper() if ch.isalnum())


def enrolment_code_hash(code: str) -> str:
    return salted_hmac(
        "sorority.enrolment.code", _normalize_code(code), algorithm="sha256"
    ).hexdigest()


def enrolment_session_hash(session_key: str) -> str:
    return salted_hmac(
        "sorority.enrolment.session", session_key, algorithm="sha256"
    ).hexdigest()


@transaction.atomic
def enrolment_code_issue(*, user: User, actor: User | None = None) -> str:
    """Issue a one-time enrolment code valid 24 h; return it (only its hash is kept).

    An older code not yet used is withdrawn: one valid code at a time.
    Emits `enrolment_code_issued`.
    """
    EnrolmentCode.objects.filter(user=user, redeemed_at__isnull=True).delete()
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(16))
    EnrolmentCode.objects.create(
        user=user,
        code_hash=enrolment_code_hash(raw),
        expires_at=timezone.now() + ENROLMENT_CODE_VALIDITY,
    )
    _event(user=user, kind=AccountEvent.Kind.ENROLMENT_CODE_ISSUED, actor=actor)
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


@transaction.atomic
def enrolment_code_redeem(*, user: User, code: str, session_key: str | None) -> None:
    """Use her enrolment code in this session: for a short while it may add a factor.

    Emits `enrolment_code_redeemed`. A wrong, used or expired code is one answer.
    """
    if not session_key:
        raise ApplicationError(_("Sign in again, then enter the code."), code="no_session")
    session_hash = enrolment_session_hash(session_key)
    attempts_key = f"sorority:enrolment-attempts:{session_hash}"
    if cache.get(attempts_key, 0) >= ENROLMENT_CODE_ATTEMPTS:
        raise RateLimited(_("Too many attempts: wait a little and try again."))
    candidate = (
        EnrolmentCode.objects.select_for_update()
        .filter(user=user, redeemed_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if candidate is None or not constant_time_compare(
        candidate.code_hash, enrolment_code_hash(code or "")
    ):
        cache.set(attempts_key, cache.get(attempts_key, 0) + 1, timeout=15 * 60)
        raise ApplicationError(
            _("This enrolment code is not valid."),
            code="invalid_enrolment_code",
            fields={"code": ["invalid"]},
        )
    candidate.redeemed_at = timezone.now()
    candidate.session_hash = session_hash
    candidate.save(update_fields=["redeemed_at", "session_hash"])
    _event(user=user, kind=AccountEvent.Kind.ENROLMENT_CODE_REDEEMED)
