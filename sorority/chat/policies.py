"""Who may see and write in which conversation: the only way to load them."""

from django.db.models import QuerySet

from sorority.accounts.models import User
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
    if other.pk in blocked_user_ids(user):
        return "not_found"  # a block looks like absence, in both directions
    return None


def can_contact(user: AnyUser, other: User | None) -> bool:
    return contact_refusal(user, other) is None
