"""What the accounts app holds about a person: export and erasure (docs/security.md §22-23).

Covers the person herself, her roles, account events and blocks, and the rows that
allauth keeps for her (e-mail addresses, second factors, sessions). Registered with
`sorority.core.personal_data` in `AccountsConfig.ready()`. Erasure runs last (order
100): the other apps erase their rows first, then the privacy app deletes the person.
"""

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from sorority.accounts.models import (
    AccountEvent,
    Block,
    EnrolmentCode,
    RoleAssignment,
    User,
)
from sorority.core.personal_data import PersonalData

MODELS = (
    "accounts.User",
    "accounts.RoleAssignment",
    "accounts.AccountEvent",
    "accounts.Block",
    "accounts.EnrolmentCode",
)


def _when(value: object) -> str | None:
    return value.isoformat() if value is not None else None  # type: ignore[attr-defined]


def _actor(event: AccountEvent, user: User) -> str | None:
    # Pseudonymous: whether she, someone else (a moderator, an operator) or the
    # platform acted; never who the other person was.
    if event.actor_id is None:
        return "platform"
    return "you" if event.actor_id == user.pk else "staff"


def export_for(user: User) -> dict:
    """Return her account, roles, account history, the blocks she made and sign-in data."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.usersessions.models import UserSession

    blocks = Block.objects.filter(blocker=user).select_related("blocked")
    return {
        "account": {
            "id": user.pk,
            "email": user.email,
            "display_name": user.display_name,
            "status": user.status,
            "date_joined": _when(user.date_joined),
            "consented_at": _when(user.consented_at),
            "last_login": _when(user.last_login),
            "discreet_mode": user.discreet_mode,
            "exit_url": user.exit_url,
        },
        "roles": sorted(
            RoleAssignment.objects.filter(user=user).values_list("role", flat=True)
        ),
        "account_events": [
            {
                "kind": event.kind,
                "at": _when(event.created_at),
                "by": _actor(event, user),
                "data": event.data,
            }
            for event in AccountEvent.objects.filter(user=user).order_by("created_at", "pk")
        ],
        # Blocks she received are not exported: they are the other person's choice,
        # and telling her could put that person at risk (GDPR Art. 15(4)).
        "blocks_made": [
            {
                "member_id": block.blocked_id,
                "display_name": block.blocked.display_name,
                "at": _when(block.created_at),
            }
            for block in blocks
        ],
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user)
        ],
        # Type and dates only: the secrets of a second factor are never exported.
        "second_factors": [
            {
                "type": a.type,
                "created_at": _when(a.created_at),
                "last_used_at": _when(a.last_used_at),
            }
            for a in Authenticator.objects.filter(user=user)
        ],
        # Dates only: the code itself is never kept, its hash is not hers to read.
        "enrolment_codes": [
            {
                "created_at": _when(c.created_at),
                "expires_at": _when(c.expires_at),
                "used_at": _when(c.redeemed_at),
            }
            for c in EnrolmentCode.objects.filter(user=user)
        ],
        "sessions": [
            {
                "ip": s.ip,
                "device": s.user_agent,
                "created_at": _when(s.created_at),
                "last_seen_at": _when(s.last_seen_at),
            }
            for s in UserSession.objects.filter(user=user)
        ],
    }


def erase_for(user: User) -> None:
    """Delete every row about her that this app and allauth keep (not the person).

    The privacy app deletes the `User` row itself once every app has run.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.usersessions.models import UserSession

    for session in UserSession.objects.filter(user=user):
        session.end()  # deletes the session store entry too
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    Block.objects.filter(Q(blocker=user) | Q(blocked=user)).delete()
    RoleAssignment.objects.filter(user=user).delete()
    AccountEvent.objects.filter(user=user).delete()
    EnrolmentCode.objects.filter(user=user).delete()
    # Her pseudonym appears in `object_repr` of admin log entries about her.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).delete()
    _erase_lockout_records(user)


def _erase_lockout_records(user: User) -> None:
    """django-axes keeps the login name (her e-mail) of admin sign-in attempts."""
    try:
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    except ImportError:  # pragma: no cover - axes is a dependency
        return
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__iexact=user.email).delete()


ENTRY = PersonalData(
    app_label="accounts",
    models=MODELS,
    export=export_for,
    erase=erase_for,
    order=100,
)
