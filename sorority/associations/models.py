"""Associations, their staff, and the cases they follow from first contact to rehousing.

A case never holds a legal name: `label` is a pseudonym chosen by the staff. Case content
is only ever loaded through `sorority.associations.policies.cases_visible_to`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sorority.core.validators import validate_no_contact


class Association(models.Model):
    """An organisation (its head office address is not a person's: fine to store)."""

    class IdentifierKind(models.TextChoices):
        RNA = "rna", _("RNA number")
        SIREN = "siren", _("SIREN number")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    name = models.CharField(_("name"), max_length=150)
    identifier_kind = models.CharField(max_length=8, choices=IdentifierKind.choices)
    identifier = models.CharField(_("identifier"), max_length=10, unique=True)
    address = models.CharField(_("head office address"), max_length=300)
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="represented_associations",
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    refusal_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "approved", "refused"]),
                name="association_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AssociationEvent(models.Model):
    """Append-only log of an association's registration, decision and staff changes."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        STAFF_INVITED = "staff_invited", _("Staff member invited")
        STAFF_JOINED = "staff_joined", _("Staff member joined")
        STAFF_DECLINED = "staff_declined", _("Invitation declined")
        STAFF_REMOVED = "staff_removed", _("Staff member removed")

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="events"
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

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class Membership(models.Model):
    """A person on an association's staff: invited, then active, until removed."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACTIVE = "active", _("Active")
        DECLINED = "declined", _("Declined")
        REMOVED = "removed", _("Removed")

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_memberships",
    )
    status = models.CharField(max_length=12, choices=Status.choices, db_index=True)
    is_representative = models.BooleanField(default=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "user"], name="membership_unique_per_association"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.association_id}:{self.user_id}:{self.status}"


class StaffInvitation(models.Model):
    """What an association sees of an invitation: the address it typed, nothing more.

    The same row is written whether the address is a member's, an applicant's, a
    banned person's or nobody's; only a verified member who may be invited gets a
    private `membership` (and a neutral e-mail). A decline leaves the row pending:
    the association never learns whether an address belongs to a member until she
    joins (docs/security.md, "Existence oracles").
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Invitation sent")
        ACCEPTED = "accepted", _("Joined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="invitations"
    )
    address = models.CharField(_("member number or e-mail"), max_length=254)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PENDING
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Private: never shown to the association (set only for an invitable member).
    membership = models.ForeignKey(
        Membership,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "address"],
                condition=models.Q(status="pending"),
                name="one_pending_invitation_per_address",
            ),
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk} of {self.association_id}"


class Case(models.Model):
    """A person an association is helping, under a pseudonymous label."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SEARCHING = "searching", _("Searching")
        PLACED = "placed", _("Placed")
        CLOSED = "closed", _("Closed")

    class Need(models.TextChoices):
        SAFE_PLACE = "safe_place", _("A safe place")
        SUPPORT = "support", _("Help and support")

    association = models.ForeignKey(
        Association, on_delete=models.PROTECT, related_name="cases"
    )
    label = models.CharField(
        _("pseudonymous label"), max_length=60, validators=[validate_no_contact]
    )
    need = models.CharField(
        max_length=12, choices=Need.choices, default=Need.SAFE_PLACE
    )
    support_kinds = models.JSONField(default=list, blank=True)
    adults = models.PositiveSmallIntegerField(default=1)
    children_ages = models.JSONField(default=list, blank=True)
    animals = models.JSONField(default=list, blank=True)
    nights = models.PositiveSmallIntegerField(default=1)
    step_free = models.BooleanField(default=False)
    target_commune = models.CharField(max_length=5, blank=True)
    avoid_commune = models.CharField(max_length=5, blank=True)
    avoid_radius_km = models.PositiveSmallIntegerField(default=0)
    safety_asked_at = models.DateTimeField(null=True, blank=True)
    safety_threatened = models.BooleanField(null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referred_cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    notes_retained_until = models.DateTimeField(null=True, blank=True, db_index=True)
    notes_purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["open", "searching", "placed", "closed"]
                ),
                name="case_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(adults__gte=1), name="case_at_least_one_adult"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def children(self) -> int:
        return len(self.children_ages or [])


class CaseEvent(models.Model):
    """One line of a case's timeline: who did what, when (append-only)."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Case opened")
        UPDATED = "updated", _("Needs updated")
        SAFETY_CHECKED = "safety_checked", _("Safety check asked")
        NOTE_CHANGED = "note_changed", _("Notes changed")
        STATUS_CHANGED = "status_changed", _("Status changed")
        REFERENT_ASSIGNED = "referent_assigned", _("Referent assigned")
        OUTREACH_SENT = "outreach_sent", _("Hosts contacted")
        HOST_ANSWERED = "host_answered", _("A host answered")
        OTHERS_RELEASED = "others_released", _("Other hosts told the need is met")
        PLACED = "placed", _("Placement recorded")
        FOLLOW_UP_SCHEDULED = "follow_up_scheduled", _("Follow-up scheduled")
        CHECK_IN_LOGGED = "check_in_logged", _("Check-in logged")
        CHECK_IN_MISSED = "check_in_missed", _("Check-in missed")
        URGENT_ALERT = "urgent_alert", _("Urgent alert")
        PLACEMENT_ENDED = "placement_ended", _("Placement ended")
        NOTES_PURGED = "notes_purged", _("Notes deleted after retention")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
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

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class HostRequest(models.Model):
    """One host asked to shelter the person of a case, and her answer."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for an answer")
        DECLINED = "declined", _("Declined")
        ACCEPTED = "accepted", _("Accepted")
        NEED_MET = "need_met", _("Told the need is met")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="requests")
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="host_requests"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    batch = models.PositiveIntegerField(default=1)
    message = models.TextField()
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.WAITING, db_index=True
    )
    conversation_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}->{self.host_id}:{self.status}"


class Placement(models.Model):
    """A stay of the case's person with a host, followed up by the referent."""

    class DuressAnswer(models.TextChoices):
        QUIET_DAY = "quiet_day", _("All good, quiet day.")
        NOTHING_NEW = "nothing_new", _("Everything is OK, nothing to report.")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="placements")
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="hostings",
    )
    request = models.ForeignKey(
        HostRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    starts_on = models.DateField()
    expected_end_on = models.DateField()
    duress_answer = models.CharField(max_length=16, choices=DuressAnswer.choices)
    # The sheltered person's private check-in link (she has no account); dead once the
    # stay ends.
    guest_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expected_end_on__gte=models.F("starts_on")),
                name="placement_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}@{self.host_id}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class FollowUp(models.Model):
    """A scheduled check-in with the host or with the sheltered person."""

    class With(models.TextChoices):
        HOST = "host", _("the host")
        GUEST = "guest", _("the sheltered person")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        DONE = "done", _("Done")
        MISSED = "missed", _("Missed")

    class Outcome(models.TextChoices):
        FINE = "fine", _("All fine on both sides")
        ISSUE = "issue", _("There is an issue")
        DURESS = "duress", _("Duress answer")

    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="follow_ups"
    )
    with_whom = models.CharField(max_length=8, choices=With.choices)
    due_at = models.DateTimeField(db_index=True)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.SCHEDULED, db_index=True
    )
    outcome = models.CharField(max_length=8, choices=Outcome.choices, blank=True)
    note = models.CharField(max_length=500, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    logged_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]

    def __str__(self) -> str:
        return f"{self.placement_id}:{self.with_whom}@{self.due_at:%Y-%m-%d}"
