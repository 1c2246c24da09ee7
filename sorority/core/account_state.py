"""Account-state hooks: explicit calls after a person's state or rights change.

Every service that changes whether or how a person may use the platform (status,
suspension, reinstatement, roles, association staff membership, password, erasure,
sign-out) calls `changed(...)` inside its own transaction. The apps that keep
something in step with that state (search rows and map counts, open WebSockets)
register a hook in `AppConfig.ready()`. The floor knows no domain: a hook receives
only the person's id and why she changed.

This replaces model signals on `User`: a write through `QuerySet.update()` sends
no signal, and a suspension written that way once left a suspended member in the
map counts (docs/architecture.md, "Account state").
"""

from collections.abc import Callable
from enum import StrEnum


class Reason(StrEnum):
    STATUS = "status"  # approved, refused, banned, back to applicant...
    SUSPENDED = "suspended"
    REINSTATED = "reinstated"
    ROLE = "role"  # a role granted or taken away
    MEMBERSHIP = "membership"  # association staff membership gained or lost
    PASSWORD = "password"  # noqa: S105 -- a reason, not a secret; other sessions lose their authentication hash
    SESSIONS = "sessions"  # one or more of her sessions ended
    ERASED = "erased"
    BLOCK = "block"  # she blocked or was blocked by someone


Hook = Callable[[int, Reason], None]

_hooks: dict[str, Hook] = {}


def register(name: str, hook: Hook) -> None:
    """Register (or replace) a hook under a stable name; call from `ready()`."""
    _hooks[name] = hook


def changed(*, user_id: int, reason: Reason) -> None:
    """Tell every registered hook that a person's state changed, in this transaction."""
    for hook in list(_hooks.values()):
        hook(user_id, reason)
