"""Factories for the chat: a conversation between two members, with messages."""

from sorority.accounts.models import User
from sorority.accounts.tests.factories import UserFactory
from sorority.chat.models import Conversation, Message, Participant


def conversation_between(a: User | None = None, b: User | None = None) -> Conversation:
    a = a or UserFactory()
    b = b or UserFactory()
    low, high = sorted([a, b], key=lambda u: u.pk)
    conversation = Conversation.objects.create(person_low=low, person_high=high)
    Participant.objects.create(conversation=conversation, user=low)
    Participant.objects.create(conversation=conversation, user=high)
    return conversation


def message_in(
    conversation: Conversation, sender: User, text: str = "Bonjour"
) -> Message:
    return Message.objects.create(conversation=conversation, sender=sender, text=text)
