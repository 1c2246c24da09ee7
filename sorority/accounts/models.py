"""People: the custom user (e-mail login, pseudonym only), roles, account events."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(
        self, email: str, password: str | None = None, **fields: object
    ) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(
        self, email: str, password: str | None = None, **fields: object
    ) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Never holds a legal name: `display_name` is a pseudonym."""

    class Status(models.TextChoices):
        APPLICANT = "applicant", _("Applicant, verification not started")
        PENDING = "pending", _("Applicant, verification pending")
        RESUBMIT = "resubmit", _("Applicant, asked to resubmit")
        REFUSED = "refused", _("Applicant, refused")
        MEMBER = "member", _("Member")
        BANNED = "banned", _("Banned")

    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=40)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.APPLICANT, db_index=True
    )
    consented_at = models.DateTimeField(null=True, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    discreet_mode = models.BooleanField(_("discreet mode"), default=False)
    exit_url = models.URLField(_("quick exit destination"), blank=True, max_length=300)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["applicant", "pending", "resubmit", "refused", "member", "banned"]
                ),
                name="user_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name} (#{self.pk})"

    @property
    def is_member(self) -> bool:
        return self.status == self.Status.MEMBER


class RoleAssignment(models.Model):
    """A role beyond plain membership, granted by an operator or a service."""

    class Role(models.TextChoices):
        MODERATOR = "moderator", _("Moderator")
        ASSOCIATION_STAFF = "association_staff", _("Association staff")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="role_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}"


class AccountEvent(models.Model):
    """Append-only record of changes to a person's state and roles."""

    class Kind(models.TextChoices):
        SIGNED_UP = "signed_up", _("Signed up")
        STATUS_CHANGED = "status_changed", _("Status changed")
        ROLE_GRANTED = "role_granted", _("Role granted")
        ROLE_REVOKED = "role_revoked", _("Role revoked")
        BLOCKED = "blocked", _("Blocked someone")
        SUSPENDED = "suspended", _("Suspended")
        REINSTATED = "reinstated", _("Reinstated")
        ENROLMENT_CODE_ISSUED = "enrolment_code_issued", _("Enrolment code issued")
        ENROLMENT_CODE_REDEEMED = "enrolment_code_redeemed", _("Enrolment code used")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class Block(models.Model):
    """One person blocks another: both disappear from each other's search, map, chat."""

    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_received")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_unique_pair"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="block_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id}->{self.blocked_id}"


class EnrolmentCode(models.Model):
    """An operator-issued, one-time step to add a first factor to a privileged account.

    Only a hash is stored. Redeeming it binds it to one session (hashed key) for a
    short window, during which that session may add a second factor.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="enrolment_codes"
    )
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    redeemed_at = models.DateTimeField(null=True, blank=True)
    session_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"enrolment code #{self.pk}"
