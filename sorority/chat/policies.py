"""Who may see and write in which conversation: the only way to load them."""

from django.db.models import Q, QuerySet

from sorority.accounts.models import Block, User
from sorority.accounts.policies import AnyUser, blocked_user_ids, is_member
from sorority.chat.models import Conversation, Message


def conversations_visible_to(user: AnyUser) -> QuerySet[Conversation]:
    """Return her conversations, minus those with someone blocked in either direction."""
    if not is_member(user):
        return Conversation.objects.none()
    queryset = Conversation.objects.filter(participants__user=user)
    blocked = blocked_user_ids(user)
    if blocked:
        queryset = queryset.exclude(participants__user_id__in=blocked)
    return queryset


def messages_visible_to(user: AnyUser) -> QuerySet[Message]:
    """Return the messages of the conversations she may see."""
    return Message.objects.filter(conversation__in=conversations_visible_to(user))


def contact_refusal(user: AnyUser, other: User | None) -> str | None:
    """Return why `user` may not start a conversation with `other`, or None."""
    if not is_member(user):
        return "verification_required"
    if other is None or not is_member(other):
        return "not_found"
    if other.pk == user.pk:
        return "cannot_contact_self"
    blockers = set(
        Block.objects.filter(
            Q(blocker_id=user.pk, blocked_id=other.pk)
            | Q(blocker_id=other.pk, blocked_id=user.pk)
        ).values_list("blocker_id", flat=True)
    )
    if user.pk in blockers:
        return "blocked_by_you"  # she knows: a clear message is fine for her
    if blockers:
        return "not_found"  # blocked by the other: exactly like absence
    return None


def can_contact(user: AnyUser, other: User | None) -> bool:
    return contact_refusal(user, other) is None
