"""The two doors to other apps: the host search (places) and conversations (chat).

Only their public services and selectors are used, behind these few functions, so
tests can stand in for them and the rest of this app does not know their shapes.
"""

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sorority.accounts.models import User
    from sorority.associations.models import Case

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HostCandidate:
    member_id: int
    display_name: str
    distance: str = ""
    area: str = ""
    offer: dict = field(default_factory=dict)


def search_hosts(
    *, user: "User", case: "Case", exclude_ids: set[int], limit: int = 20
) -> list[HostCandidate]:
    """Available safe-place hosts nearest first around the case's target area."""
    return []


def open_conversation(*, sender: "User", recipient: "User", text: str) -> int | None:
    """Start (or reuse) a conversation and post `text`; return its id, or None."""
    return None


def post_message(*, conversation_id: int, sender: "User", text: str) -> None:
    """Post a message in an existing conversation (silently skipped if impossible)."""
    return None


def chat_path(member_id: int) -> str | None:
    """Path of the page that opens a conversation with a member, if chat exists."""
    return None
