"""What the chat holds about a person: export and erasure (registered in apps.py).

Apps above the chat (moderation) may keep some of her messages as evidence: they
register a keeper that returns the ids to keep, and the chat never imports them.
"""

from collections.abc import Callable

from django.db import transaction
from django.db.models import QuerySet

from sorority.accounts.models import User
from sorority.chat.models import (
    ChatSettings,
    Conversation,
    ConversationEvent,
    Message,
    Participant,
)

MessageKeeper = Callable[[QuerySet[Message]], set[int]]
_keepers: list[MessageKeeper] = []


def register_message_keeper(keeper: MessageKeeper) -> None:
    """Let another app keep some messages through an erasure (e.g. under report)."""
    if keeper not in _keepers:
        _keepers.append(keeper)


def kept_message_ids(messages: QuerySet[Message]) -> set[int]:
    kept: set[int] = set()
    for keeper in _keepers:
        kept |= keeper(messages)
    return kept


def export_for(user: User) -> dict:
    conversation_ids = list(
        Participant.objects.filter(user=user).values_list("conversation_id", flat=True)
    )
    chosen = ChatSettings.objects.filter(user=user).first()
    return {
        "settings": {
            "accept_several": chosen.accept_several if chosen else True,
            "email_unread": chosen.email_unread if chosen else True,
        },
        "conversations": [
            {"id": c.pk, "kind": c.kind, "created_at": c.created_at.isoformat()}
            for c in Conversation.objects.filter(pk__in=conversation_ids).order_by("pk")
        ],
        "messages_sent": [
            {
                "id": m.pk,
                "conversation": m.conversation_id,
                "text": m.text,
                "created_at": m.created_at.isoformat(),
            }
            for m in Message.objects.filter(sender=user).order_by("pk")
        ],
    }


@transaction.atomic
def erase_for(user: User) -> None:
    """Delete her messages (from both sides), her read markers and settings.

    Messages a keeper protects (under an open report) stay for the moderators.
    Conversations left without any message disappear.
    """
    hers = Message.objects.filter(sender=user)
    kept = kept_message_ids(hers)
    hers.exclude(pk__in=kept).delete()
    conversation_ids = list(
        Participant.objects.filter(user=user).values_list("conversation_id", flat=True)
    )
    Participant.objects.filter(user=user).delete()
    ChatSettings.objects.filter(user=user).delete()
    ConversationEvent.objects.filter(actor=user).update(actor=None)
    Conversation.objects.filter(pk__in=conversation_ids, messages__isnull=True).delete()
    Conversation.objects.filter(person_low=user).update(person_low=None)
    Conversation.objects.filter(person_high=user).update(person_high=None)
