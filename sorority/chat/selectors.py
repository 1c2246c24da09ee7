"""Reads for the chat: conversation lists with unread counts, message pages."""

from django.db.models import Count, F, Q, QuerySet

from sorority.accounts.policies import AnyUser
from sorority.chat.models import Conversation, Message
from sorority.chat.policies import conversations_visible_to

PAGE_SIZE = 100


def conversation_list(user: AnyUser) -> QuerySet[Conversation]:
    """Return her conversations, latest first, each with `unread` and the other side."""
    visible = conversations_visible_to(user).values("pk")
    return (
        Conversation.objects.filter(pk__in=visible)
        .select_related("person_low", "person_high")
        .annotate(
            unread=Count(
                "messages",
                filter=Q(
                    participants__user=user,
                    messages__id__gt=F("participants__last_read_message_id"),
                )
                & (~Q(messages__sender=user) | Q(messages__sender__isnull=True)),
                distinct=True,
            )
        )
        .order_by(F("last_message_at").desc(nulls_last=True), "-pk")
    )


def unread_total(user: AnyUser) -> int:
    """Return how many messages from others wait unread across her conversations."""
    if not getattr(user, "is_authenticated", False):
        return 0
    visible = conversations_visible_to(user).values("pk")
    return (
        Message.objects.filter(
            conversation__in=visible,
            conversation__participants__user=user,
            id__gt=F("conversation__participants__last_read_message_id"),
        )
        .exclude(sender=user)
        .count()
    )


def other_person(conversation: Conversation, user: AnyUser) -> object | None:
    """Return the other side of a two-person conversation (None if she left)."""
    if conversation.person_low_id == user.pk:
        return conversation.person_high
    return conversation.person_low


def message_page(
    conversation: Conversation, *, after: int | None = None, limit: int = PAGE_SIZE
) -> list[Message]:
    """Return messages after an id (ascending), or the latest page when no id."""
    queryset = Message.objects.filter(conversation=conversation).select_related(
        "sender"
    )
    if after is not None:
        return list(queryset.filter(id__gt=after).order_by("id")[:limit])
    latest = list(queryset.order_by("-id")[:limit])
    latest.reverse()
    return latest
