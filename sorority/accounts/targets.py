"""The one way to turn a client-given member id into a person an action is about.

Blocking, reporting, inviting and contacting someone all start here. A person who
blocked the actor is, to that actor, exactly a member id that does not exist: the
same single query answers both, and the door raises the same `member_not_found()`
(same status, code and message; same page). The blocker herself still finds the
person she blocked (`blocked_by_actor`), so she can report her, and gets clear
messages about her own block (docs/security.md, "Existence oracles").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from sorority.accounts.models import Block, User
from sorority.accounts.policies import AnyUser
from sorority.core.errors import NotFound

MEMBERS = (User.Status.MEMBER,)


def member_not_found() -> NotFound:
    """The one answer for "no such member", whatever the reason behind it."""
    return NotFound(_("No such member."), code="not_found")


@dataclass(frozen=True)
class Target:
    user: User | None
    blocked_by_actor: bool = False  # she (the actor) blocked this person


def _as_pk(member_id: object) -> int:
    if isinstance(member_id, bool):
        return 0
    try:
        pk = int(member_id)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return 0
    return pk if 0 < pk < 2**63 else 0


def member_target(
    actor: AnyUser,
    member_id: object,
    *,
    statuses: tuple[str, ...] = MEMBERS,
    active_only: bool = True,
) -> Target:
    """Find the person `member_id` names, as `actor` may know her.

    `user` is None when the id is malformed or unknown, when the person is not in
    `statuses` (or is suspended, with `active_only`), or when she blocked the
    actor: one query in every case, so no path does extra work that a stopwatch
    could tell apart.
    """
    actor_pk = getattr(actor, "pk", None) or 0
    people = User.objects.filter(pk=_as_pk(member_id), status__in=statuses)
    if active_only:
        people = people.filter(is_active=True)
    found = (
        people.exclude(
            pk__in=Block.objects.filter(blocked_id=actor_pk).values("blocker_id")
        )
        .annotate(
            blocked_by_actor=Exists(
                Block.objects.filter(blocker_id=actor_pk, blocked_id=OuterRef("pk"))
            )
        )
        .first()
    )
    if found is None:
        return Target(None)
    return Target(found, bool(found.blocked_by_actor))


def require_member(
    actor: AnyUser,
    member_id: object,
    *,
    statuses: tuple[str, ...] = MEMBERS,
    active_only: bool = True,
) -> Target:
    """`member_target`, raising the one not-found answer when there is no one."""
    target = member_target(actor, member_id, statuses=statuses, active_only=active_only)
    if target.user is None:
        raise member_not_found()
    return target
