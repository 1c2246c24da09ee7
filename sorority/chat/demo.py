"""Demo conversations between the demo member and other demo people (idempotent)."""

from sorority.chat.models import Conversation, Message
from sorority.chat.services import _get_or_create_conversation
from sorority.core.demo import DemoContext

SCRIPTS = [
    (
        "association_staff",
        Conversation.Kind.ASSOCIATION,
        [
            ("other", "Bonjour, je suis Nadia de l'association. Comment allez-vous ?"),
            (
                "member",
                "Bonjour Nadia, ça va mieux, merci. Je cherche un accompagnement pour mardi.",
            ),
            (
                "other",
                "Je regarde qui peut venir avec vous et je reviens vers vous aujourd'hui.",
            ),
        ],
    ),
    (
        "moderator",
        Conversation.Kind.DIRECT,
        [
            (
                "member",
                "Sujet : écoute\nContexte : besoin de parler un peu\nDisponibilités : le soir",
            ),
            ("other", "Avec plaisir. Demain 19 h, ça vous irait ?"),
        ],
    ),
]


def seed(ctx: DemoContext) -> None:
    member = ctx.people.get("member")
    if member is None:
        return
    created = 0
    for key, kind, lines in SCRIPTS:
        other = ctx.people.get(key)
        if other is None:
            continue
        conversation, _new = _get_or_create_conversation(
            starter=member, other=other, kind=kind
        )
        if conversation.messages.exists():
            continue
        last = None
        for who, text in lines:
            sender = member if who == "member" else other
            last = Message.objects.create(
                conversation=conversation, sender=sender, text=text
            )
        if last is not None:
            Conversation.objects.filter(pk=conversation.pk).update(
                last_message_at=last.created_at
            )
        created += 1
    if created:
        ctx.notes.append(f"Chat: {created} demo conversation(s) for the demo member.")
