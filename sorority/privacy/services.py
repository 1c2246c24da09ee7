"""Writes of the privacy app: erasure, discreet mode, abuser flags."""

import datetime
import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sorority.core import account_state
from sorority.core.account_state import Reason
from sorority.core.errors import ApplicationError, NotFound, RateLimited
from sorority.core.notify import mail_later, notification_message
from sorority.core.personal_data import registered
from sorority.privacy.models import AbuserFlag, AbuserFlagEvent, ErasureRecord
from sorority.privacy.personal_data import KEEP_FLAGS_ATTR
from sorority.privacy.policies import abuser_flags_enabled

if TYPE_CHECKING:
    from django.core.mail import EmailMessage

    from sorority.accounts.models import User

logger = logging.getLogger(__name__)

FLAG_LIFETIME = datetime.timedelta(days=2 * 365)
MAX_ACTIVE_FLAGS = 5
NEW_FLAG_INTERVAL = datetime.timedelta(hours=24)
FLAG_PURPOSE = "flag"


# ---------------------------------------------------------------------------
# Erasure
# ---------------------------------------------------------------------------
@transaction.atomic
def account_erase(
    *,
    user: "User",
    reason: str = ErasureRecord.Reason.REQUESTED,
    keep_flags: bool = False,
    notify: bool = True,
) -> ErasureRecord:
    """Erase a person: every app's data about her, then the account itself.

    Each registered `erase(user)` runs in registry order (accounts last), then the
    person is deleted. A neutral confirmation e-mail, built from the values still
    held in memory, is queued with the transaction (no mail if anything fails); the
    worker sends it, and its stored copy, which holds her address, is deleted then.
    Writes an `ErasureRecord` that says nothing about who she was.
    """
    setattr(user, KEEP_FLAGS_ATTR, keep_flags)
    kept = AbuserFlag.objects.filter(member=user).count() if keep_flags else 0
    for entry in registered():
        entry.erase(user)
    email, discreet = user.email, bool(user.discreet_mode)
    account_state.changed(user_id=user.pk, reason=Reason.ERASED)
    user.delete()
    record = ErasureRecord.objects.create(reason=reason, flags_kept=kept)
    if notify:
        mail_later(_erasure_notice(email=email, discreet=discreet, reason=reason))
    logger.info("Account erased (record %s, %s)", record.pk, reason)
    return record


def _erasure_notice(*, email: str, discreet: bool, reason: str) -> "EmailMessage":
    if reason == ErasureRecord.Reason.INACTIVE_APPLICANT:
        body = _(
            "Your account was not used for a long time, so it has been closed and "
            "the data attached to it deleted. You can sign up again at any time."
        )
    else:
        body = _(
            "As you asked, your account and the data attached to it have been "
            "deleted. You do not need to do anything."
        )
    return notification_message(
        email=email,
        discreet=discreet,
        subject=_("Your account has been closed"),
        body=body,
    )


# ---------------------------------------------------------------------------
# Discreet mode
# ---------------------------------------------------------------------------
def discreet_toggle(*, user: "User") -> "User":
    """Switch discreet mode on or off in one tap."""
    from sorority.accounts.services import user_update_settings

    return user_update_settings(user=user, discreet_mode=not user.discreet_mode)


# ---------------------------------------------------------------------------
# Abuser flags (docs/security.md §27)
# ---------------------------------------------------------------------------
def _require_flags_enabled() -> None:
    if not abuser_flags_enabled():
        raise NotFound(_("This feature is not available."), code="feature_disabled")


def _current_key() -> tuple[int, bytes]:
    keyring: dict[int, bytes] = settings.IDENTITY_TAG_KEYS
    version = max(keyring)
    return version, keyring[version]


NAME_MAX_LENGTH = 200


def _check_identity(
    family_name: object, given_names: object, birth_date: datetime.date | None
) -> None:
    """The same rules for the page and the API (the form only says it earlier)."""
    for field, value in (("family_name", family_name), ("given_names", given_names)):
        if not isinstance(value, str) or len(value) > NAME_MAX_LENGTH:
            raise ApplicationError(
                _("This name is too long."),
                code="invalid",
                fields={field: [_("This name is too long.")]},
            )
    if birth_date is not None and (
        birth_date > timezone.localdate() or birth_date.year < 1900
    ):
        raise ApplicationError(
            _("Enter a real date of birth."),
            code="invalid",
            fields={"birth_date": [_("Enter a real date of birth.")]},
        )


@transaction.atomic
def abuser_flag_create(
    *,
    member: "User",
    family_name: str,
    given_names: str,
    birth_date: datetime.date | None = None,
) -> AbuserFlag:
    """File a flag on an identity; only its keyed tag is stored. Emits `created`.

    At most 5 active flags per member and one new flag per 24 hours (withdrawing
    does not reset the clock). The name and date exist only in this call's memory.
    """
    from sorority.verification.identity import identity_tag

    _require_flags_enabled()
    _check_identity(family_name, given_names, birth_date)
    now = timezone.now()
    # Lock her row so that two parallel requests cannot both pass the limits.
    from sorority.accounts.models import User

    User.objects.select_for_update().filter(pk=member.pk).first()
    active = AbuserFlag.objects.filter(member=member, expires_at__gt=now).count()
    if active >= MAX_ACTIVE_FLAGS:
        raise ApplicationError(
            _("You already have %(n)d active flags, the most allowed. Withdraw one first.")
            % {"n": MAX_ACTIVE_FLAGS},
            code="too_many_flags",
        )
    if AbuserFlagEvent.objects.filter(
        actor=member,
        kind=AbuserFlagEvent.Kind.CREATED,
        created_at__gt=now - NEW_FLAG_INTERVAL,
    ).exists():
        raise RateLimited(
            _("You can file one new flag every 24 hours. Please try again later."),
            code="rate_limited",
        )
    version, key = _current_key()
    try:
        tag = identity_tag(
            family_name=family_name,
            given_names=given_names,
            birth_date=birth_date,
            key=key,
            key_version=version,
            purpose=FLAG_PURPOSE,
        )
    except (TypeError, ValueError) as exc:
        raise ApplicationError(
            _("Enter a name with at least one letter."),
            code="invalid",
            fields={"family_name": [_("Enter a name with at least one letter.")]},
        ) from exc
    flag = AbuserFlag.objects.filter(member=member, key_version=version, tag=tag).first()
    if flag is not None:
        # Same identity again: renew instead of duplicating (and say nothing more).
        flag.expires_at = now + FLAG_LIFETIME
        flag.save(update_fields=["expires_at"])
        AbuserFlagEvent.objects.create(
            actor=member, flag_id=flag.pk, kind=AbuserFlagEvent.Kind.RENEWED
        )
        return flag
    flag = AbuserFlag(member=member, key_version=version, tag=tag, expires_at=now + FLAG_LIFETIME)
    flag.full_clean()
    flag.save()
    AbuserFlagEvent.objects.create(
        actor=member, flag_id=flag.pk, kind=AbuserFlagEvent.Kind.CREATED
    )
    return flag


@transaction.atomic
def abuser_flag_withdraw(*, member: "User", flag_id: int) -> None:
    """Withdraw one of her flags. Emits `withdrawn`. Missing or foreign: 404."""
    from sorority.privacy.policies import flags_visible_to

    _require_flags_enabled()
    deleted, _rows = flags_visible_to(member).filter(pk=flag_id).delete()
    if not deleted:
        raise NotFound(_("Not found."))
    AbuserFlagEvent.objects.create(
        actor=member, flag_id=flag_id, kind=AbuserFlagEvent.Kind.WITHDRAWN
    )


@transaction.atomic
def abuser_flag_renew(*, member: "User", flag_id: int) -> AbuserFlag:
    """Extend one of her active flags for another 2 years. Emits `renewed`."""
    from sorority.privacy.policies import flags_visible_to

    _require_flags_enabled()
    now = timezone.now()
    flag = flags_visible_to(member).filter(pk=flag_id, expires_at__gt=now).first()
    if flag is None:
        raise NotFound(_("Not found."))
    flag.expires_at = now + FLAG_LIFETIME
    flag.save(update_fields=["expires_at"])
    AbuserFlagEvent.objects.create(
        actor=member, flag_id=flag.pk, kind=AbuserFlagEvent.Kind.RENEWED
    )
    return flag
