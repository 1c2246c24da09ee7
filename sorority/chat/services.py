"""Writes of the chat: start, send, read, contact several, settings.

A message is stored first; the push to open pages is scheduled on commit, so a
client that catches up with `after=` can never miss a stored message nor see one
that was rolled back.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sorority.accounts.models import User
from sorority.accounts.policies import AnyUser, blocked_user_ids
from sorority.accounts.targets import member_not_found, member_target, require_member
from sorority.chat.models import (
    MESSAGE_MAX_LENGTH,
    ChatSettings,
    Conversation,
    ConversationEvent,
    Message,
    Participant,
)
from sorority.chat.policies import contact_refusal, conversations_visible_to
from sorority.core.errors import ApplicationError, Conflict, NotFound, RateLimited

SEVERAL_MAX = 10
# Who may be blocked: members, and banned people (in case a ban is ever lifted).
BLOCKABLE = {"statuses": (User.Status.MEMBER, User.Status.BANNED), "active_only": False}


def messages_per_minute() -> int:
    return int(getattr(settings, "CHAT_MESSAGES_PER_MINUTE", 20))


def several_per_day() -> int:
    return int(getattr(settings, "CHAT_SEVERAL_PER_DAY", 3))


def clean_text(text: object) -> str:
    """Return the text to store, or raise a clear error (empty, too long)."""
    if not isinstance(text, str):
        raise ApplicationError(
            _("A message is text."), code="invalid", fields={"text": ["Required."]}
        )
    text = text.replace("\x00", "").replace("\r\n", "\n").strip()
    if not text:
        raise ApplicationError(
            _("The message is empty."),
            code="empty_message",
            fields={"text": ["Empty."]},
        )
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ApplicationError(
            _("A message has at most %(n)s characters.") % {"n": MESSAGE_MAX_LENGTH},
            code="message_too_long",
            fields={"text": [f"At most {MESSAGE_MAX_LENGTH} characters."]},
        )
    return text


def _check_rate(user: AnyUser) -> None:
    """Count one message for this minute; refuse past the limit (cache-based)."""
    key = f"chat:rate:{user.pk}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=70)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=70)
        count = 1
    if count > messages_per_minute():
        raise RateLimited(
            _("Too many messages in a minute. Wait a little and try again."),
            code="rate_limited",
        )


def message_payload(message: Message) -> dict:
    """The JSON shape of a message, the same for the API and the WebSocket."""
    sender = message.sender
    return {
        "type": "message",
        "conversation": message.conversation_id,
        "id": message.pk,
        "sender": message.sender_id,
        "sender_name": sender.display_name if sender else "",
        "text": message.text,
        "created_at": message.created_at.isoformat(),
    }


def _broadcast(payload: dict, user_ids: list[int], kind: str = "chat.message") -> None:
    """Push to each person's group. Called on commit, never before."""
    from sorority.core.realtime import send_to_groups, user_group

    event = {"type": kind, "message": payload}
    send_to_groups(
        [user_group(user_id) for user_id in dict.fromkeys(user_ids) if user_id], event
    )


def _post(*, sender: User, conversation: Conversation, text: str) -> Message:
    message = Message(conversation=conversation, sender=sender, text=text)
    message.full_clean(exclude=["conversation", "sender"])
    message.save()
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=message.created_at
    )
    # Her own message is read by her.
    Participant.objects.filter(conversation=conversation, user=sender).update(
        last_read_message_id=message.pk
    )
    recipients = [conversation.person_low_id, conversation.person_high_id]
    payload = message_payload(message)
    transaction.on_commit(lambda: _broadcast(payload, recipients))
    return message


def _get_or_create_conversation(
    *, starter: User, other: User, kind: str
) -> tuple[Conversation, bool]:
    low, high = sorted([starter, other], key=lambda u: u.pk)
    conversation, created = Conversation.objects.get_or_create(
        person_low=low, person_high=high, kind=kind
    )
    if created:
        Participant.objects.bulk_create(
            [
                Participant(conversation=conversation, user=low),
                Participant(conversation=conversation, user=high),
            ]
        )
    return conversation, created


@transaction.atomic
def conversation_start(
    *,
    starter: User,
    other: User | None,
    text: str,
    kind: str = Conversation.Kind.DIRECT,
) -> tuple[Conversation, Message]:
    """Open (or reuse) her conversation with another member and post a first message.

    Emits `started` when the conversation is new.
    """
    refusal = contact_refusal(starter, other)
    if refusal == "cannot_contact_self":
        raise ApplicationError(_("You cannot write to yourself."), code=refusal)
    if refusal == "blocked_by_you":
        raise Conflict(_("You blocked this person."), code=refusal)
    if refusal is not None or other is None:
        raise member_not_found()
    text = clean_text(text)
    _check_rate(starter)
    conversation, created = _get_or_create_conversation(
        starter=starter, other=other, kind=kind
    )
    if created:
        ConversationEvent.objects.create(
            conversation=conversation,
            kind=ConversationEvent.Kind.STARTED,
            actor=starter,
        )
    message = _post(sender=starter, conversation=conversation, text=text)
    return conversation, message


@transaction.atomic
def message_send(*, sender: User, conversation_id: object, text: str) -> Message:
    """Store a message in one of her conversations, then push it on commit.

    A conversation that is not hers, or with someone blocked, is "not found".
    """
    try:
        conversation = conversations_visible_to(sender).get(pk=int(conversation_id))  # type: ignore[arg-type]
    except (Conversation.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("No such conversation.")) from None
    if conversation.person_low_id is None or conversation.person_high_id is None:
        raise ApplicationError(
            _("This person has left; the conversation is closed."),
            code="conversation_closed",
        )
    text = clean_text(text)
    _check_rate(sender)
    return _post(sender=sender, conversation=conversation, text=text)


@transaction.atomic
def conversation_mark_read(
    *, user: User, conversation: Conversation, message_id: int | None = None
) -> Participant:
    """Move her read marker forward (never backward); clears the e-mail notice."""
    latest = (
        Message.objects.filter(conversation=conversation)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
        or 0
    )
    target = latest if message_id is None else min(int(message_id), latest)
    participant = Participant.objects.select_for_update().get(
        conversation=conversation, user=user
    )
    if target > participant.last_read_message_id or participant.notified:
        participant.last_read_message_id = max(participant.last_read_message_id, target)
        participant.notified = False
        participant.save(update_fields=["last_read_message_id", "notified"])
    return participant


def settings_for(user: User) -> ChatSettings:
    """Return her chat settings (defaults when she never changed them)."""
    found = ChatSettings.objects.filter(user=user).first()
    return found or ChatSettings(user=user)


@transaction.atomic
def chat_settings_update(
    *, user: User, accept_several: bool, email_unread: bool
) -> ChatSettings:
    """Save her choices about several-hosts requests and unread-message e-mails."""
    chosen, _created = ChatSettings.objects.get_or_create(user=user)
    chosen.accept_several = accept_several
    chosen.email_unread = email_unread
    chosen.full_clean()
    chosen.save()
    return chosen


@transaction.atomic
def contact_several(
    *, sender: User, member_ids: list[int], text: str
) -> dict[str, list]:
    """Send one message to up to 10 members: one conversation each (sudden flight).

    Members who refuse such requests, who are not members, who are blocked (either
    way) or herself are skipped without saying why. Limited per day; emits
    `several_sent` once and `started_several` for each new conversation.
    """
    ids = list(dict.fromkeys(int(i) for i in member_ids))
    if not ids:
        raise ApplicationError(
            _("Choose at least one member."),
            code="invalid",
            fields={"member_ids": ["Empty."]},
        )
    if len(ids) > SEVERAL_MAX:
        raise ApplicationError(
            _("At most %(n)s members at once.") % {"n": SEVERAL_MAX},
            code="too_many_members",
            fields={"member_ids": [f"At most {SEVERAL_MAX}."]},
        )
    text = clean_text(text)
    since = timezone.now() - timedelta(days=1)
    sent_today = ConversationEvent.objects.filter(
        actor=sender, kind=ConversationEvent.Kind.SEVERAL_SENT, created_at__gte=since
    ).count()
    if sent_today >= several_per_day():
        raise RateLimited(
            _("You reached today's limit of requests to several hosts."),
            code="rate_limited",
        )
    _check_rate(sender)
    refusing = set(
        ChatSettings.objects.filter(user_id__in=ids, accept_several=False).values_list(
            "user_id", flat=True
        )
    )
    # The same queries whoever is on the list: someone blocked (either way), not
    # a member or unknown is skipped exactly alike, without saying why.
    blocked = blocked_user_ids(sender)
    people = {
        u.pk: u
        for u in User.objects.filter(
            pk__in=ids, status=User.Status.MEMBER, is_active=True
        ).exclude(pk__in=blocked | {sender.pk})
    }
    conversations: list[Conversation] = []
    skipped: list[int] = []
    for member_id in ids:
        other = people.get(member_id)
        if other is None or member_id in refusing:
            skipped.append(member_id)
            continue
        conversation, created = _get_or_create_conversation(
            starter=sender, other=other, kind=Conversation.Kind.DIRECT
        )
        if created:
            ConversationEvent.objects.create(
                conversation=conversation,
                kind=ConversationEvent.Kind.STARTED_SEVERAL,
                actor=sender,
            )
        _post(sender=sender, conversation=conversation, text=text)
        conversations.append(conversation)
    ConversationEvent.objects.create(
        kind=ConversationEvent.Kind.SEVERAL_SENT,
        actor=sender,
        data={"sent": len(conversations), "skipped": len(skipped)},
    )
    return {"conversations": conversations, "skipped": skipped}


def member_by_id(member_id: object, *, actor: User) -> User | None:
    """The member a client-given id names, as `actor` may know her (see targets)."""
    return member_target(actor, member_id).user


def notify_after_minutes() -> int:
    return int(getattr(settings, "CHAT_NOTIFY_AFTER_MINUTES", 30))


def notify_unread() -> int:
    """E-mail each member whose messages have waited unread too long; return the count.

    One neutral e-mail (no name, no content) per person per waiting batch: a
    conversation is not counted again until she has read it. Members who turned
    the e-mails off are skipped, and so are conversations hidden by a block.
    """
    from django.db.models import Exists, OuterRef
    from django.utils import translation

    from sorority.core.notify import notify_later

    cutoff = timezone.now() - timedelta(minutes=notify_after_minutes())
    waiting = Message.objects.filter(
        conversation_id=OuterRef("conversation_id"),
        id__gt=OuterRef("last_read_message_id"),
        created_at__lte=cutoff,
    ).exclude(sender_id=OuterRef("user_id"))
    due = (
        Participant.objects.filter(
            notified=False, user__status=User.Status.MEMBER, user__is_active=True
        )
        .exclude(user__chat_settings__email_unread=False)
        .filter(Exists(waiting))
        .values_list("pk", "user_id")
    )
    by_user: dict[int, list[int]] = {}
    for participant_id, user_id in due:
        by_user.setdefault(user_id, []).append(participant_id)
    sent = 0
    for user in User.objects.filter(pk__in=by_user):
        with transaction.atomic():
            updated = Participant.objects.filter(
                pk__in=by_user[user.pk],
                notified=False,
                conversation__in=conversations_visible_to(user),
            ).update(notified=True)
            if not updated:
                continue
            with translation.override("fr"):
                subject = _("A message is waiting for you")
                body = _("You have an unread message. Sign in to read it.")
            notify_later(user=user, subject=subject, body=body, link_path="/chat/")
        sent += 1
    return sent


@transaction.atomic
def block_member(*, blocker: User, member_id: object) -> User:
    """Block a person by id (her own block list); unknown ids are "not found".

    Open pages of both sides are told at once that their conversation is closed.
    """
    from sorority.accounts.services import block_create

    # Someone who blocked her is, here too, an id that does not exist.
    other = require_member(blocker, member_id, **BLOCKABLE).user
    if other.pk == blocker.pk:
        raise ApplicationError(_("You cannot block yourself."), code="invalid_block")
    block_create(blocker=blocker, blocked=other)
    low, high = sorted([blocker.pk, other.pk])
    closed = list(
        Conversation.objects.filter(person_low_id=low, person_high_id=high).values_list(
            "pk", flat=True
        )
    )
    for conversation_id in closed:
        payload = {"type": "closed", "conversation": conversation_id}
        transaction.on_commit(
            lambda payload=payload: _broadcast(payload, [low, high], kind="chat.closed")
        )
    return other
