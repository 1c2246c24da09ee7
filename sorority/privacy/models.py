"""Abuser flags (tags only) and the pseudonymous record of erasures."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AbuserFlag(models.Model):
    """A member's watch flag on an abuser's identity (docs/security.md §27).

    Holds only the keyed fingerprint of the identity: no name, no birth date. A flag
    filed without a birth date is tagged with an empty date, so a check at
    verification looks up both forms (see `selectors.flag_matches_identity`).
    `member` is null only when she erased her account and chose to keep her flags
    until they expire.
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="abuser_flags",
    )
    key_version = models.PositiveSmallIntegerField()
    tag = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["key_version", "tag"], name="flag_tag_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "key_version", "tag"], name="flag_unique_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"flag #{self.pk}"


class AbuserFlagEvent(models.Model):
    """Append-only history of a member's flags: when she filed, withdrew, renewed.

    Also the memory of the "one new flag per 24 hours" rule, which withdrawing a
    flag must not reset. Erased with her account.
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("Flag filed")
        WITHDRAWN = "withdrawn", _("Flag withdrawn")
        RENEWED = "renewed", _("Flag renewed")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    flag_id = models.BigIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.flag_id}"


class ErasureRecord(models.Model):
    """Proof that an account was erased, holding nothing about who it was.

    Only the date, whether she asked or a retention job did it, and how many rows
    each app removed: accountability without keeping her data (GDPR Art. 5(2)).
    """

    class Reason(models.TextChoices):
        REQUESTED = "requested", _("Requested by the person")
        INACTIVE_APPLICANT = "inactive_applicant", _("Inactive applicant")

    erased_at = models.DateTimeField(auto_now_add=True, db_index=True)
    reason = models.CharField(max_length=32, choices=Reason.choices)
    flags_kept = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"erasure #{self.pk}"
