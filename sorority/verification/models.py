"""Verification cases, their encrypted evidence, the audit chain and the ban list.

Nothing here ever holds a plaintext document, a legal name or a birth date: documents
live encrypted in the vault storage under a per-submission key that is itself stored
only wrapped (docs/security.md §16), and identities survive only as keyed tags (24-25).
"""

import datetime
import hashlib
import json
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sorority.core.errors import Conflict

CHALLENGE_LIFETIME = datetime.timedelta(minutes=10)
MAX_REVISIONS = 3
FORMAT_VERSION = 1


def new_nonce() -> str:
    """Return a 192-bit random token: the challenge's id is its nonce."""
    return secrets.token_urlsafe(24)


def challenge_expiry() -> datetime.datetime:
    return timezone.now() + CHALLENGE_LIFETIME


class VerificationChallenge(models.Model):
    """A single-use liveness challenge bound to one person and one session."""

    id = models.CharField(primary_key=True, max_length=40, default=new_nonce, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    request = models.ForeignKey(
        "VerificationRequest", on_delete=models.CASCADE, related_name="challenges"
    )
    # SHA-256 of the session key: binds the challenge without storing a credential.
    session_hash = models.CharField(max_length=64)
    pose = models.CharField(max_length=40)
    code = models.CharField(max_length=6)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=challenge_expiry)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"challenge for request {self.request_id}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class ReasonCode(models.TextChoices):
    """Why a case was refused or sent back. Never the sex marker (docs/security.md §6)."""

    BLURRY = "blurry", _("The photos are blurry or too dark")
    CHALLENGE_MISSING = "challenge_missing", _("The gesture or the handwritten code is missing or wrong")
    FACE_MISMATCH = "face_mismatch", _("The selfie and the document portrait do not match")
    DOCUMENT_NOT_PHYSICAL = "document_not_physical", _("The document is a screen, a copy or a photo")
    DOCUMENT_EXPIRED = "document_expired", _("The document has expired")
    DOCUMENT_UNREADABLE = "document_unreadable", _("The name or date of birth cannot be read")
    SUSPECTED_IMPERSONATION = "suspected_impersonation", _("Suspected impersonation")
    LIMIT_REACHED = "limit_reached", _("Too many submissions")
    RETENTION_EXPIRED = "retention_expired", _("Not completed or decided in time")
    WITHDRAWN = "withdrawn", _("Withdrawn by the applicant")


DECISION_REASONS = tuple(
    code
    for code in ReasonCode.values
    if code not in {"limit_reached", "retention_expired", "withdrawn"}
)


class VerificationRequest(models.Model):
    """One applicant's verification case, through up to three revision rounds."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        IN_REVIEW = "in_review", _("In review")
        REVISION_REQUESTED = "revision_requested", _("New photos requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Refused")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    FINAL_STATES = frozenset({"approved", "rejected", "expired", "withdrawn"})
    TRANSITIONS: dict[str, frozenset[str]] = {
        "draft": frozenset({"submitted", "withdrawn", "expired"}),
        "submitted": frozenset({"in_review", "withdrawn", "expired"}),
        # in_review -> submitted: released back to the queue (e.g. senior review).
        "in_review": frozenset(
            {"submitted", "approved", "rejected", "revision_requested", "withdrawn", "expired"}
        ),
        "revision_requested": frozenset({"submitted", "withdrawn", "expired"}),
        "approved": frozenset(),
        "rejected": frozenset(),
        "expired": frozenset(),
        "withdrawn": frozenset(),
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="verification_requests",
    )
    state = models.CharField(
        max_length=24, choices=State.choices, default=State.DRAFT, db_index=True
    )
    revision_count = models.PositiveSmallIntegerField(default=0)
    # Round of the current evidence: a fresh key and storage folder each submission.
    round = models.PositiveSmallIntegerField(default=0)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="verification_assignments",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=32, choices=ReasonCode.choices, blank=True)
    challenge = models.ForeignKey(
        VerificationChallenge,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The per-submission data key, only ever stored wrapped by a KEK (docs/security.md §16).
    wrapped_dek = models.BinaryField(null=True, blank=True, editable=False)
    key_version = models.PositiveSmallIntegerField(null=True, blank=True)
    declaration = models.BooleanField(default=False)
    duplicate_upload = models.BooleanField(default=False)
    # A tag match: approval needs a second, different moderator (docs/security.md §26).
    possible_match = models.BooleanField(default=False)
    match_seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # An approved association vouches for her (documents that do not match her gender).
    attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="verification_attestations",
    )
    attested_at = models.DateTimeField(null=True, blank=True)
    # A random share of approvals waits for a second, different moderator before it
    # takes effect; the documents are kept (same retention) until she decides.
    second_review = models.BooleanField(default=False)
    first_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["submitted_at", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(revision_count__lte=MAX_REVISIONS),
                name="verification_revisions_capped",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    state__in=[
                        "draft",
                        "submitted",
                        "in_review",
                        "revision_requested",
                        "approved",
                        "rejected",
                        "expired",
                        "withdrawn",
                    ]
                ),
                name="verification_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"verification {self.pk} ({self.state})"

    @property
    def is_final(self) -> bool:
        return self.state in self.FINAL_STATES

    def can_transition(self, to: str) -> bool:
        return to in self.TRANSITIONS.get(self.state, frozenset())

    def transition(self, to: str) -> None:
        """Move to state `to` in memory, or raise `Conflict` if the move is forbidden."""
        if to not in self.State.values:
            raise ValidationError(f"Unknown state {to!r}.")
        if not self.can_transition(to):
            raise Conflict(
                f"A verification cannot go from {self.state} to {to}.",
                code="invalid_transition",
            )
        self.state = to


class EvidenceDocument(models.Model):
    """One encrypted image of a submission; the row and the object die together."""

    class Kind(models.TextChoices):
        SELFIE_1 = "selfie_1", _("Selfie 1")
        SELFIE_2 = "selfie_2", _("Selfie 2")
        SELFIE_3 = "selfie_3", _("Selfie 3")
        ID_FRONT = "id_front", _("Document, front")
        ID_BACK = "id_back", _("Document, back")

    request = models.ForeignKey(
        VerificationRequest, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    storage_name = models.CharField(max_length=200, unique=True)
    sha256 = models.CharField(max_length=64)  # of the ciphertext
    # Of the uploaded bytes, to spot the same file among pending cases (docs/security.md §7).
    upload_sha256 = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["request", "kind"], name="evidence_kind_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.request_id}"


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> int:
        raise PermissionError("The verification audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The verification audit log is append-only.")

    def bulk_update(self, *args: object, **kwargs: object) -> int:
        raise PermissionError("The verification audit log is append-only.")


class AuditEntry(models.Model):
    """An append-only, hash-chained record of what happened to a case (docs/security.md §22).

    Pseudonymous ids only: people are referred to by their numeric id, never by name
    or e-mail, and there are no foreign keys so that erasing an account keeps the chain.
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        SUBMITTED = "submitted", _("Submitted")
        ASSIGNED = "assigned", _("Assigned")
        DOCUMENT_VIEWED = "document_viewed", _("Document viewed")
        DECIDED = "decided", _("Decided")
        PURGED = "purged", _("Documents destroyed")
        RECONCILED = "reconciled", _("Reconciled")
        ACCESS_REFUSED = "access_refused", _("Access refused")
        BAN_PROPOSED = "ban_proposed", _("Ban proposed")
        BAN_APPROVED = "ban_approved", _("Ban approved")
        RECUSED = "recused", _("Moderator knows the applicant")

    GENESIS = "0" * 64

    kind = models.CharField(max_length=24, choices=Kind.choices)
    actor_id = models.BigIntegerField(null=True, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    request_id = models.UUIDField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"audit {self.pk} {self.kind}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise PermissionError("The verification audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("The verification audit log is append-only.")

    def compute_hash(self) -> str:
        """Return the SHA-256 of this row's content chained to the previous hash."""
        content = json.dumps(
            {
                "kind": self.kind,
                "actor": self.actor_id,
                "subject": self.subject_id,
                "request": str(self.request_id) if self.request_id else None,
                "at": self.created_at.isoformat(),
                "data": self.data,
                "prev": self.prev_hash,
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(content.encode()).hexdigest()


class DeletionReceipt(models.Model):
    """What the applicant sees: her documents were deleted on that date (docs/security.md §23)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deletion_receipts"
    )
    request_id = models.UUIDField()
    round = models.PositiveSmallIntegerField(default=1)
    documents = models.PositiveSmallIntegerField(default=0)
    deleted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-deleted_at"]

    def __str__(self) -> str:
        return f"receipt {self.request_id} {self.deleted_at:%Y-%m-%d}"


def attestation_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=7)


class AttestationCode(models.Model):
    """A one-time code an association gives a person it vouches for.

    She enters it with her photos; the moderator then sees that an approved
    association vouches for her (e.g. when her documents do not match her gender).
    Only a hash of the code is stored.
    """

    code_hash = models.CharField(max_length=64, unique=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=attestation_expiry)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"attestation code {self.pk}"


def ban_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=3 * 365)


class BanEntry(models.Model):
    """A keyed identity tag that may not join again. Tags only (docs/security.md §24-25).

    A proposal is inactive until a second, different moderator approves it (13).
    """

    class Category(models.TextChoices):
        IMPERSONATION = "impersonation", _("Impersonation or fraud")
        VIOLENCE = "violence", _("Violence or threats against members")
        HARASSMENT = "harassment", _("Harassment")
        OTHER_SAFETY = "other_safety", _("Other safety reason")

    MAX_LIFETIME = datetime.timedelta(days=5 * 365 + 2)

    tag = models.CharField(max_length=64)
    key_version = models.PositiveSmallIntegerField()
    reason_category = models.CharField(max_length=24, choices=Category.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(default=ban_expiry)

    class Meta:
        indexes = [models.Index(fields=["key_version", "tag"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(approved_by=models.F("created_by")),
                name="ban_four_eyes",
            )
        ]

    def __str__(self) -> str:
        return f"ban entry {self.pk}"

    def clean(self) -> None:
        created = self.created_at or timezone.now()
        if self.expires_at and self.expires_at > created + self.MAX_LIFETIME:
            raise ValidationError({"expires_at": _("A ban lasts at most five years.")})


class ReviewRecord(models.Model):
    """One moderator decision, kept for the queue statistics (docs/security.md).

    Staff only and pseudonymous: the case's random id, the moderator and times. No
    applicant id, name or document detail, so the figures survive her erasure.
    """

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Refused")
        REVISION_REQUESTED = "revision_requested", _("New photos requested")
        SENIOR_REVIEW = "senior_review", _("Sent to senior review")
        SECOND_REVIEW = "second_review", _("Sent to second review")

    request_id = models.UUIDField(db_index=True)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    round = models.PositiveSmallIntegerField(default=1)
    submitted_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(default=timezone.now, db_index=True)
    outcome = models.CharField(max_length=24, choices=Outcome.choices)
    reason = models.CharField(max_length=32, choices=ReasonCode.choices, blank=True)
    # This decision was the random second review of another moderator's approval.
    second_review = models.BooleanField(default=False)
    agreed = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["decided_at"]

    def __str__(self) -> str:
        return f"review {self.request_id} {self.outcome}"


class Recusal(models.Model):
    """A moderator said "I know this person": she is never offered this case again."""

    request = models.ForeignKey(
        VerificationRequest, on_delete=models.CASCADE, related_name="recusals"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "moderator"], name="recusal_once")
        ]

    def __str__(self) -> str:
        return f"recusal {self.request_id}"


class SurgeEpisode(models.Model):
    """A period during which the queue was past its threshold (moderators asked once)."""

    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    pending_at_start = models.PositiveIntegerField(default=0)
    notified = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ended_at"],
                condition=models.Q(ended_at__isnull=True),
                name="surge_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"surge {self.started_at:%Y-%m-%d %H:%M}"
