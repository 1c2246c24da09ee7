"""Writes about people: state changes and roles, each with its event row."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sorority.accounts.models import AccountEvent, RoleAssignment, User
from sorority.core import account_state
from sorority.core.account_state import Reason
from sorority.core.errors import ApplicationError
from sorority.core.validators import clean_display_name


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
    changed = {"status", "is_active"}
    user.clean_fields(
        exclude=[f.name for f in User._meta.fields if f.name not in changed]
    )
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


def _invalid_fields(exc: ValidationError, field: str) -> ApplicationError:
    if hasattr(exc, "error_dict"):
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    else:
        fields = {field: [str(m) for m in exc.messages]}
    message = "; ".join(m for messages in fields.values() for m in messages)
    return ApplicationError(message, code="invalid", fields=fields)


@transaction.atomic
def user_update_settings(
    *,
    user: User,
    display_name: str | None = None,
    discreet_mode: bool | None = None,
    exit_url: str | None = None,
) -> User:
    """Change a person's own display name, discreet mode or quick-exit destination.

    The pseudonym goes through the one pseudonym rule (`clean_display_name`), for
    every door: settings page, profile page, profile API. Only the fields being
    changed are validated, so an old pseudonym never blocks discreet mode.
    """
    checked = ["discreet_mode"]
    if display_name is not None:
        try:
            user.display_name = clean_display_name(display_name)
        except ValidationError as exc:
            raise _invalid_fields(exc, "display_name") from None
        checked.append("display_name")
    if discreet_mode is not None:
        user.discreet_mode = discreet_mode
    if exit_url is not None:
        user.exit_url = exit_url
        checked.append("exit_url")
    try:
        user.clean_fields(
            exclude=[f.name for f in User._meta.fields if f.name not in checked]
        )
    except ValidationError as exc:
        raise _invalid_fields(exc, "display_name") from None
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
