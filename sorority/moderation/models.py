"""Reports to moderators, their outcomes, suspensions, four-eyes bans, audit rows."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

DETAILS_MAX_LENGTH = 2000


class Report(models.Model):
    """A member reports another member or one of her messages.

    A reported message's text is copied here, and the message itself is kept through
    its author's erasure while the report is open (evidence cannot be destroyed).
    """

    class Reason(models.TextChoices):
        HARASSMENT = "harassment", _("Harassment or threats")
        SUSPECTED_ABUSER = "suspected_abuser", _("May be an abuser or acting for one")
        IMPERSONATION = "impersonation", _("Fake profile or impersonation")
        HATE = "hate", _("Hateful or discriminatory content")
        SPAM = "spam", _("Spam or scam")
        SAFETY = "safety", _("Puts someone in danger")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        # With a context: a bare "Open" is taken from another catalogue as the verb.
        OPEN = "open", pgettext_lazy("report status", "Open")
        DISMISSED = "dismissed", _("Dismissed")
        ACTIONED = "actioned", _("Action taken")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.ForeignKey(
        "chat.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message_text = models.TextField(blank=True)
    reason = models.CharField(max_length=32, choices=Reason.choices)
    details = models.TextField(blank=True, max_length=DETAILS_MAX_LENGTH)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Report #{self.pk}"


class Suspension(models.Model):
    """A member's access is paused until a date by a moderator."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    report = models.ForeignKey(Report, null=True, on_delete=models.SET_NULL)
    until = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Suspension #{self.pk}"


class BanProposal(models.Model):
    """A ban proposed by one moderator; only a second, different one may approve it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Waiting for a second moderator")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.SET_NULL)
    reason = models.CharField(max_length=32, choices=Report.Reason.choices)
    note = models.TextField(blank=True, max_length=DETAILS_MAX_LENGTH)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PROPOSED, db_index=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Keyed identity tags (docs/security.md §24) when the approver had an identity to tag;
    # never the name or birth date themselves.
    tags = models.JSONField(default=dict, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("proposed_by")),
                name="ban_proposal_four_eyes",
            )
        ]

    def __str__(self) -> str:
        return f"Ban proposal #{self.pk}"


class ModerationEvent(models.Model):
    """Append-only audit of moderation: who did what to which report or person."""

    class Kind(models.TextChoices):
        REPORTED = "reported", _("Reported")
        DISMISSED = "dismissed", _("Dismissed")
        WARNED = "warned", _("Warned")
        SUSPENDED = "suspended", _("Suspended")
        SUSPENSION_LIFTED = "suspension_lifted", _("Suspension lifted")
        BAN_PROPOSED = "ban_proposed", _("Ban proposed")
        BAN_APPROVED = "ban_approved", _("Ban approved")
        BAN_REJECTED = "ban_rejected", _("Ban rejected")
        REFUSED = "refused", _("Action refused")

    kind = models.CharField(max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
