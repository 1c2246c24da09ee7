"""Conversations between two people, their messages, read markers and events."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MESSAGE_MAX_LENGTH = 2000


class Conversation(models.Model):
    """A private thread between exactly two people (two members, or staff and a member).

    The pair is stored ordered (`person_low` has the smaller id) so that one pair has at
    most one conversation of each kind.
    """

    class Kind(models.TextChoices):
        DIRECT = "direct", _("Between members")
        ASSOCIATION = "association", _("With an association")

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.DIRECT)
    person_low = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    person_high = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person_low", "person_high", "kind"],
                name="conversation_unique_pair",
            ),
            models.CheckConstraint(
                condition=models.Q(person_low__lt=models.F("person_high")),
                name="conversation_pair_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"Conversation #{self.pk}"


class Participant(models.Model):
    """One side of a conversation: her read marker and notification state."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    last_read_message_id = models.BigIntegerField(default=0)
    # Set when an e-mail told her something waits; cleared when she reads.
    notified = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"], name="participant_unique"
            )
        ]
        indexes = [models.Index(fields=["user", "conversation"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id}"


class Message(models.Model):
    """Plain text only; stored before it is pushed to anyone."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(max_length=MESSAGE_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["conversation", "id"])]

    def __str__(self) -> str:
        return f"Message #{self.pk}"


class ConversationEvent(models.Model):
    """Append-only record of what happened to a conversation (never message text)."""

    class Kind(models.TextChoices):
        STARTED = "started", _("Started")
        STARTED_SEVERAL = "started_several", _("Started by a several-hosts request")
        SEVERAL_SENT = "several_sent", _("Several-hosts request sent")

    conversation = models.ForeignKey(
        Conversation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["actor", "kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class ChatSettings(models.Model):
    """A member's own choices about contact and notifications."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_settings"
    )
    accept_several = models.BooleanField(
        _("accept requests sent to several hosts at once"), default=True
    )
    email_unread = models.BooleanField(
        _("e-mail me when a message waits unread"), default=True
    )

    def __str__(self) -> str:
        return f"Chat settings of {self.user_id}"
