"""Writes of the verification flow: challenge, submission, review, decision, purge.

Every state change is audited (`audit.audit`). Documents are destroyed by
`_schedule_purge`, in the transaction of the decision (never signals or cascades), as
soon as a case reaches a decision or a final state: key and document rows at once,
the ciphertext objects by the worker right after the commit (docs/security.md §17).
"""

import datetime
import hashlib
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sorority.accounts.models import User
from sorority.accounts.policies import is_moderator
from sorority.accounts.services import user_set_status
from sorority.core.errors import (
    AccessDenied,
    ApplicationError,
    Conflict,
    NotFound,
    RateLimited,
)
from sorority.verification import crypto, gestures, vault
from sorority.verification.audit import audit
from sorority.verification.identity import all_tags
from sorority.verification.imaging import InvalidImage, heif_available, sanitize_image
from sorority.verification.models import (
    DECISION_REASONS,
    FORMAT_VERSION,
    MAX_REVISIONS,
    AttestationCode,
    AuditEntry,
    BanEntry,
    DeletionReceipt,
    EvidenceDocument,
    ReasonCode,
    Recusal,
    ReviewRecord,
    SurgeEpisode,
    VerificationChallenge,
    VerificationRequest,
)
from sorority.verification.policies import can_handle_verification
from sorority.verification.selectors import claimable_for, identity_matches
from sorority.verification.transcription import transcription_clean

logger = logging.getLogger(__name__)

State = VerificationRequest.State
OPEN_STATES = (State.DRAFT, State.SUBMITTED, State.IN_REVIEW, State.REVISION_REQUESTED)
PENDING_STATES = (State.SUBMITTED, State.IN_REVIEW)
CHECKLIST = (
    "gesture_correct",
    "code_correct",
    "same_person",
    "document_physical",
    "document_not_expired",
    "identity_transcribed",
)
SELFIE_COUNT = 3


def session_hash(session_key: str | None) -> str:
    return hashlib.sha256((session_key or "").encode()).hexdigest()


def _notify(user: User) -> None:
    from sorority.core.notify import notify_later

    # Neutral: no word about verification, the outcome or the platform's purpose.
    notify_later(
        user=user,
        subject=_("News about your account"),
        body=_("There is news about your account. Sign in to see it."),
        link_path=reverse("accounts:status"),
    )


# --------------------------------------------------------------------------
# Applicant
# --------------------------------------------------------------------------


@transaction.atomic
def challenge_create(*, user: User, session_key: str | None) -> VerificationChallenge:
    """Draw a pose and a code for her open case (opening a draft if needed)."""
    if user.status not in (User.Status.APPLICANT, User.Status.RESUBMIT):
        raise Conflict(
            _("There is no verification to start for this account."),
            code="verification_not_open",
        )
    case = (
        VerificationRequest.objects.select_for_update()
        .filter(user=user, state__in=(State.DRAFT, State.REVISION_REQUESTED))
        .first()
    )
    if case is None:
        if VerificationRequest.objects.filter(user=user, state__in=PENDING_STATES).exists():
            raise Conflict(_("Your photos are already waiting."), code="already_pending")
        case = VerificationRequest.objects.create(user=user)
        audit(AuditEntry.Kind.CREATED, subject_id=user.pk, request_id=case.pk)
    challenge = VerificationChallenge(
        user=user,
        request=case,
        session_hash=session_hash(session_key),
        pose=gestures.draw_pose(),
        code=gestures.draw_code(),
    )
    challenge.full_clean()
    challenge.save()
    return challenge


@dataclass
class Upload:
    """The bytes of one uploaded file as received (memory only)."""

    data: bytes
    field: str


@dataclass
class _Clean:
    kind: str
    data: bytes
    upload_sha256: str = field(repr=False)


def _check_challenge(
    *, user: User, session_key: str | None, challenge_id: str | None
) -> VerificationChallenge:
    if not challenge_id:
        raise ApplicationError(
            _("Take the photos with a challenge first."), code="challenge_required"
        )
    challenge = (
        VerificationChallenge.objects.select_for_update()
        .select_related("request")
        .filter(pk=str(challenge_id)[:40], user=user)
        .first()
    )
    if challenge is None:
        raise ApplicationError(_("This challenge is not valid."), code="invalid_challenge")
    if challenge.session_hash != session_hash(session_key):
        raise AccessDenied(
            _("This challenge belongs to another session."), code="challenge_other_session"
        )
    if challenge.used_at is not None:
        raise ApplicationError(
            _("This challenge was already used. Start again."), code="challenge_used"
        )
    if challenge.is_expired:
        raise ApplicationError(
            _("The ten minutes are over. Start again with a new challenge."),
            code="challenge_expired",
        )
    return challenge


_ACTIVE_CONTENT = (b"<html", b"<script", b"<svg", b"<?php", b"<iframe", b"<!doctype")


def _refuse_polyglot(data: bytes) -> None:
    """Refuse files that are also a web page or script (e.g. PNG+HTML polyglots).

    Re-encoding already drops such content; refusing it as well tells the client
    clearly and keeps hostile files out of any later processing.
    """
    lowered = data.lower()
    if any(marker in lowered for marker in _ACTIVE_CONTENT):
        raise InvalidImage("unsupported_type", "The file also contains web content.")
    if data.startswith(b"\x89PNG"):
        end = data.rfind(b"IEND")
        if end == -1 or end + 8 != len(data):
            raise InvalidImage("unsupported_type", "The PNG has data after its end.")


def _clean_images(
    selfies: Sequence[Upload], id_front: Upload | None, id_back: Upload | None
) -> list[_Clean]:
    if len(selfies) != SELFIE_COUNT:
        raise ApplicationError(
            _("Exactly three selfie photos are needed."),
            code="three_selfies_required",
            fields={"selfie": [f"{len(selfies)} received"]},
        )
    if id_front is None:
        raise ApplicationError(
            _("A photo of the front of the document is needed."),
            code="id_front_required",
            fields={"id_front": ["required"]},
        )
    named = [(f"selfie_{i}", upload) for i, upload in enumerate(selfies, start=1)]
    named.append(("id_front", id_front))
    if id_back is not None:
        named.append(("id_back", id_back))
    cleaned, errors = [], {}
    for kind, upload in named:
        try:
            _refuse_polyglot(upload.data)
            data = sanitize_image(upload.data, allow_heif=heif_available())
        except InvalidImage as exc:
            errors.setdefault(upload.field, []).append(exc.code)
            continue
        cleaned.append(_Clean(kind, data, hashlib.sha256(upload.data).hexdigest()))
    if errors:
        raise ApplicationError(
            _("A photo could not be used: take it again."),
            code="invalid_image",
            fields=errors,
        )
    return cleaned


def submission_create(
    *,
    user: User,
    session_key: str | None,
    challenge_id: str | None,
    selfies: Sequence[Upload],
    id_front: Upload | None,
    id_back: Upload | None = None,
    declaration: bool,
    attestation_code: str | None = None,
) -> VerificationRequest:
    """Validate, re-encode, encrypt and store one submission; she becomes `pending`.

    Nothing is written unless every check passes; on any failure the stored
    ciphertexts of this attempt are removed (the reconciliation job is the backstop).
    """
    written: list[str] = []
    try:
        return _submission_create(
            user=user,
            session_key=session_key,
            challenge_id=challenge_id,
            selfies=selfies,
            id_front=id_front,
            id_back=id_back,
            declaration=declaration,
            attestation_code=attestation_code,
            written=written,
        )
    except BaseException:
        for name in written:
            vault.delete(name)
        raise


@transaction.atomic
def _submission_create(
    *,
    user: User,
    session_key: str | None,
    challenge_id: str | None,
    selfies: Sequence[Upload],
    id_front: Upload | None,
    id_back: Upload | None,
    declaration: bool,
    attestation_code: str | None,
    written: list[str],
) -> VerificationRequest:
    challenge = _check_challenge(user=user, session_key=session_key, challenge_id=challenge_id)
    case = VerificationRequest.objects.select_for_update().get(pk=challenge.request_id)
    if not case.can_transition(State.SUBMITTED):
        raise Conflict(_("This verification is closed."), code="verification_not_open")
    cleaned = _clean_images(selfies, id_front, id_back)
    if declaration is not True:
        raise ApplicationError(
            _("Please confirm the self-declaration."),
            code="declaration_required",
            fields={"declaration": ["required"]},
        )
    attestation = _attestation_for(attestation_code)
    case.transition(State.SUBMITTED)
    case.round += 1
    if attestation is not None:
        attestation.used_at = timezone.now()
        attestation.save(update_fields=["used_at"])
        case.attested_by = attestation.staff
        case.attested_at = attestation.used_at
    case.submitted_at = timezone.now()
    case.challenge = challenge
    case.declaration = True
    case.assignee = None
    dek = crypto.new_dek()
    case.key_version, case.wrapped_dek = crypto.wrap_dek(dek, settings.VAULT_MASTER_KEYS)
    hashes = [item.upload_sha256 for item in cleaned]
    case.duplicate_upload = (
        len(set(hashes)) < len(hashes)
        or EvidenceDocument.objects.filter(
            upload_sha256__in=hashes, request__state__in=PENDING_STATES
        )
        .exclude(request=case)
        .exists()
    )
    case.full_clean(exclude=["wrapped_dek"])
    case.save()
    for item in cleaned:
        aad = crypto.document_aad(str(case.pk), item.kind, FORMAT_VERSION)
        name, digest = vault.put(
            str(case.pk), case.round, item.kind, crypto.encrypt(dek, item.data, aad)
        )
        written.append(name)
        EvidenceDocument.objects.create(
            request=case,
            kind=item.kind,
            storage_name=name,
            sha256=digest,
            upload_sha256=item.upload_sha256,
        )
    del dek
    challenge.used_at = timezone.now()
    challenge.save(update_fields=["used_at"])
    user_set_status(user=user, status=User.Status.PENDING)
    audit(
        AuditEntry.Kind.SUBMITTED,
        subject_id=user.pk,
        request_id=case.pk,
        round=case.round,
        documents=len(cleaned),
    )
    _surge_check_soon()
    return case


@transaction.atomic
def verification_withdraw(*, user: User) -> VerificationRequest:
    """Withdraw her open case; its documents are destroyed on commit."""
    case = (
        VerificationRequest.objects.select_for_update()
        .filter(user=user, state__in=OPEN_STATES)
        .first()
    )
    if case is None:
        raise NotFound(_("There is nothing to withdraw."), code="not_found")
    case.transition(State.WITHDRAWN)
    case.reason = ReasonCode.WITHDRAWN
    case.decided_at = timezone.now()
    case.assignee = None
    case.save()
    if user.status in (User.Status.PENDING, User.Status.RESUBMIT):
        user_set_status(user=user, status=User.Status.APPLICANT, actor=user)
    audit(AuditEntry.Kind.DECIDED, actor_id=user.pk, subject_id=user.pk, request_id=case.pk,
          outcome="withdrawn")
    _schedule_purge(case, cause="withdrawn", actor_id=user.pk)
    return case


ATTESTATION_ALPHABET = gestures.CODE_ALPHABET
MAX_ACTIVE_ATTESTATIONS = 50


def _attestation_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").encode()).hexdigest()


@transaction.atomic
def attestation_code_create(*, staff: User) -> tuple[str, AttestationCode]:
    """Give association staff a one-time code to hand to a person she vouches for."""
    import secrets

    from sorority.accounts.policies import is_association_staff

    if not is_association_staff(staff):
        raise AccessDenied(_("Only association staff may vouch."), code="forbidden")
    active = AttestationCode.objects.filter(
        staff=staff, used_at__isnull=True, expires_at__gt=timezone.now()
    ).count()
    if active >= MAX_ACTIVE_ATTESTATIONS:
        raise RateLimited(_("Too many unused codes."), code="rate_limited")
    code = "".join(secrets.choice(ATTESTATION_ALPHABET) for _ in range(12))
    item = AttestationCode.objects.create(code_hash=_attestation_hash(code), staff=staff)
    return f"{code[:4]}-{code[4:8]}-{code[8:]}", item


def _attestation_for(code: str | None) -> AttestationCode | None:
    if not code:
        return None
    item = (
        AttestationCode.objects.select_for_update()
        .select_related("staff")
        .filter(
            code_hash=_attestation_hash(code),
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    from sorority.accounts.policies import is_association_staff

    if item is None or not is_association_staff(item.staff):
        raise ApplicationError(
            _("This association code is not valid."),
            code="invalid_attestation",
            fields={"attestation_code": ["invalid"]},
        )
    return item


# --------------------------------------------------------------------------
# Moderators
# --------------------------------------------------------------------------


def _refuse(case: VerificationRequest, moderator: User, action: str) -> None:
    """Audit an attempt by someone who is not the assignee, then refuse it (403)."""
    audit(
        AuditEntry.Kind.ACCESS_REFUSED,
        actor_id=moderator.pk,
        request_id=case.pk,
        action=action,
    )
    raise AccessDenied(
        _("Only the moderator who claimed this case may do this."), code="not_assignee"
    )


@transaction.atomic
def verification_claim(*, case: VerificationRequest, moderator: User) -> VerificationRequest:
    """Assign a waiting case to this moderator (one assignee at a time)."""
    case = VerificationRequest.objects.select_for_update().get(pk=case.pk)
    if not is_moderator(moderator) or case.user_id == moderator.pk:
        raise AccessDenied(_("You may not review this case."), code="forbidden")
    if case.state == State.IN_REVIEW and case.assignee_id == moderator.pk:
        return case
    if case.state == State.IN_REVIEW:
        raise Conflict(_("Another moderator has claimed this case."), code="already_claimed")
    if case.state != State.SUBMITTED:
        raise NotFound(_("Not found."))
    if Recusal.objects.filter(request=case, moderator=moderator).exists():
        raise AccessDenied(
            _("You said you know this person: another moderator will review her."),
            code="recused",
        )
    if case.second_review and case.first_reviewer_id == moderator.pk:
        raise AccessDenied(
            _("A second, different moderator must review this approval."),
            code="second_review_other_moderator",
        )
    case.transition(State.IN_REVIEW)
    case.assignee = moderator
    case.assigned_at = timezone.now()
    case.save(update_fields=["state", "assignee", "assigned_at"])
    audit(AuditEntry.Kind.ASSIGNED, actor_id=moderator.pk, request_id=case.pk)
    return case


def verification_claim_next(*, moderator: User) -> VerificationRequest | None:
    """Open the next case for her: the one already in her hands, else claim the next.

    The order is the queue's (surge-aware: resubmissions first). Skips cases she
    recused herself from, her own, approvals she made that wait for their second
    review, and a possible match she already saw (it waits for another moderator,
    docs/security.md §26). A case someone else claims in between is skipped.
    Returns None when nothing is left for her.
    """
    from sorority.verification.statistics import surge_state

    if not is_moderator(moderator):
        raise AccessDenied(_("You may not review this case."), code="forbidden")
    mine = (
        VerificationRequest.objects.filter(state=State.IN_REVIEW, assignee=moderator)
        .order_by("assigned_at")
        .first()
    )
    if mine is not None:
        return mine
    candidates = (
        claimable_for(moderator, surge=surge_state().active)
        .exclude(match_seen_by=moderator)
        .values_list("pk", flat=True)
    )
    for pk in candidates[:NEXT_CANDIDATES]:
        try:
            return verification_claim(
                case=VerificationRequest(pk=pk), moderator=moderator
            )
        except (Conflict, AccessDenied, NotFound):
            continue
    return None


NEXT_CANDIDATES = 20


@transaction.atomic
def verification_recuse(
    *, case: VerificationRequest, moderator: User
) -> VerificationRequest:
    """Say "I know this person": hand the case back; she is never offered it again.

    Audited with the case's random id and her pseudonymous id only.
    """
    case = VerificationRequest.objects.select_for_update().get(pk=case.pk)
    if not can_handle_verification(moderator, case) or case.state != State.IN_REVIEW:
        _refuse(case, moderator, "recuse")
    Recusal.objects.get_or_create(request=case, moderator=moderator)
    case.transition(State.SUBMITTED)
    case.assignee = None
    case.assigned_at = None
    case.save(update_fields=["state", "assignee", "assigned_at"])
    audit(AuditEntry.Kind.RECUSED, actor_id=moderator.pk, request_id=case.pk)
    return case


def _draw_second_review() -> bool:
    """Draw, with `secrets`, whether this approval goes to a second moderator."""
    rate = float(getattr(settings, "VERIFICATION_SECOND_REVIEW_RATE", 0.0) or 0.0)
    if rate <= 0:
        return False
    return secrets.randbelow(1_000_000) < rate * 1_000_000


def _record(
    case: VerificationRequest,
    moderator: User,
    outcome: str,
    *,
    agreed: bool | None = None,
) -> None:
    ReviewRecord.objects.create(
        request_id=case.pk,
        moderator=moderator,
        round=case.round,
        submitted_at=case.submitted_at,
        claimed_at=case.assigned_at,
        outcome=outcome,
        reason=case.reason if outcome in ("rejected", "revision_requested") else "",
        second_review=case.second_review,
        agreed=agreed,
    )


def surge_check() -> bool:
    """Open or close the surge episode; on opening, ask every moderator to help, once.

    The request is content-free (no count, no case, no name): a neutral notice.
    Returns whether the queue is in surge now.
    """
    from django.db import IntegrityError

    from sorority.accounts.models import RoleAssignment
    from sorority.verification.statistics import surge_state

    state = surge_state()
    with transaction.atomic():
        episode = (
            SurgeEpisode.objects.select_for_update()
            .filter(ended_at__isnull=True)
            .first()
        )
        if not state.active:
            if episode is not None:
                episode.ended_at = timezone.now()
                episode.save(update_fields=["ended_at"])
            return False
        if episode is not None:
            return True
        try:
            with transaction.atomic():
                episode = SurgeEpisode.objects.create(pending_at_start=state.pending)
        except IntegrityError:
            return True  # another process opened it: she asks, not us
        helpers = list(
            User.objects.filter(
                roles__role=RoleAssignment.Role.MODERATOR, status=User.Status.MEMBER
            ).distinct()
        )
        episode.notified = len(helpers)
        episode.save(update_fields=["notified"])
        transaction.on_commit(lambda: _ask_for_help(helpers))
    return True


def _ask_for_help(helpers: list[User]) -> None:
    from sorority.core.notify import send_notification

    for helper in helpers:
        try:
            send_notification(
                user=helper,
                subject=_("Your help is welcome"),
                body=_("Sign in when you can: your help is welcome."),
                link_path=reverse("accounts:status"),
            )
        except Exception:  # one bad address must not stop the others
            logger.warning("Surge notice to moderator %s not sent", helper.pk)


def _surge_check_soon() -> None:
    transaction.on_commit(_surge_check_quietly)


def _surge_check_quietly() -> None:
    try:
        surge_check()
    except Exception:
        logger.exception("Surge check failed")


def document_view(*, case: VerificationRequest, moderator: User, kind: str) -> bytes:
    """Decrypt one document in memory for its assignee; every view is audited."""
    if not can_handle_verification(moderator, case):
        _refuse(case, moderator, "document_view")
    document = EvidenceDocument.objects.filter(request=case, kind=kind).first()
    if document is None or case.state != State.IN_REVIEW or not case.wrapped_dek:
        raise NotFound(_("Not found."))
    aad = crypto.document_aad(str(case.pk), kind, FORMAT_VERSION)
    try:
        dek = crypto.unwrap_dek(
            case.key_version, bytes(case.wrapped_dek), settings.VAULT_MASTER_KEYS
        )
        data = crypto.decrypt(dek, vault.get(document.storage_name), aad)
    except FileNotFoundError:
        raise NotFound(_("Not found.")) from None
    except crypto.DecryptionError:
        # Wrong or retired master key, or a tampered object: never a server error.
        logger.error("Vault object of case %s failed authentication", case.pk)
        raise Conflict(
            _("This document cannot be decrypted. Ask the applicant for new photos."),
            code="document_unreadable",
        ) from None
    audit(
        AuditEntry.Kind.DOCUMENT_VIEWED,
        actor_id=moderator.pk,
        request_id=case.pk,
        document=kind,
    )
    return data


@dataclass
class Decision:
    outcome: str
    warnings: list[str]


def _flag_tags_match(family_name: str, given_names: str, birth_date: datetime.date | None) -> bool:
    """Ask the abuser-flag app (if installed) whether this identity is flagged.

    The answer is a bare yes/no: the flagging member is never revealed (docs/security.md §27).
    """
    try:
        from sorority.privacy import selectors as privacy_selectors
    except ImportError:
        return False
    by_identity = getattr(privacy_selectors, "flag_matches_identity", None)
    if by_identity is not None:
        return bool(
            by_identity(family_name=family_name, given_names=given_names, birth_date=birth_date)
        )
    flag_matches = getattr(privacy_selectors, "flag_matches", None)
    if flag_matches is None:
        return False
    tags = all_tags(
        family_name=family_name,
        given_names=given_names,
        birth_date=birth_date,
        keyring=settings.IDENTITY_TAG_KEYS,
        purpose=getattr(privacy_selectors, "TAG_PURPOSE", "flag"),
    )
    return bool(flag_matches(tags))


def _check_decision_input(
    *,
    decision: str,
    reason: str | None,
    checklist: dict | None,
    family_name: str,
    given_names: str,
    birth_date: datetime.date | None,
    ban_category: str | None = None,
) -> None:
    if decision not in ("approve", "refuse", "resubmit"):
        raise ApplicationError(
            _("Choose approve, refuse or resubmit."),
            code="invalid",
            fields={"decision": ["invalid"]},
        )
    checklist = checklist or {}
    missing = [item for item in CHECKLIST if not isinstance(checklist.get(item), bool)]
    if missing:
        raise ApplicationError(
            _("Complete the checklist before deciding."),
            code="checklist_incomplete",
            fields={key: ["required"] for key in missing},
        )
    if decision == "approve":
        unmet = [item for item in CHECKLIST if checklist[item] is not True]
        if unmet:
            raise ApplicationError(
                _("Every checklist item must be met to approve."),
                code="checklist_incomplete",
                fields={key: ["not met"] for key in unmet},
            )
        blank = {
            name: ["required"]
            for name, value in (
                ("family_name", family_name or given_names),
                ("birth_date", birth_date),
            )
            if not value
        }
        if blank:
            raise ApplicationError(
                _("Transcribe the name and the date of birth."),
                code="transcription_required",
                fields=blank,
            )
    elif reason not in DECISION_REASONS:
        raise ApplicationError(
            _("Choose a reason."), code="reason_required", fields={"reason": ["required"]}
        )
    if ban_category is not None and ban_category not in BanEntry.Category.values:
        raise ApplicationError(
            _("Choose a ban category."), code="invalid", fields={"ban_category": ["invalid"]}
        )


def verification_decide(
    *,
    case: VerificationRequest,
    moderator: User,
    decision: str,
    reason: str | None = None,
    checklist: dict | None = None,
    family_name: str = "",
    given_names: str = "",
    birth_date: datetime.date | str | None = None,
    ban_category: str | None = None,
) -> Decision:
    """Decide a case: approve, refuse (reason) or ask for new photos.

    The transcribed identity only lives in memory to compute keyed tags, matched
    against the ban list and abuser flags. A match is a warning: approving a
    matching case needs a second, different moderator (the case goes back to the
    queue marked "possible match"). Documents are destroyed on commit.
    """
    if not can_handle_verification(moderator, case):
        _refuse(case, moderator, "decision")
    # Typos refused, spaces tidied: the same rules for the console and the API.
    cleaned = transcription_clean(
        family_name=family_name, given_names=given_names, birth_date=birth_date
    )
    family_name, given_names, birth_date = (
        cleaned.family_name, cleaned.given_names, cleaned.birth_date
    )
    _check_decision_input(
        decision=decision,
        reason=reason,
        checklist=checklist,
        family_name=family_name,
        given_names=given_names,
        birth_date=birth_date,
        ban_category=ban_category,
    )
    tags: dict[int, str] = {}
    warnings: list[str] = []
    if family_name or given_names:
        tags = all_tags(
            family_name=family_name,
            given_names=given_names,
            birth_date=birth_date,
            keyring=settings.IDENTITY_TAG_KEYS,
        )
        warnings += identity_matches(tags)
        if _flag_tags_match(family_name, given_names, birth_date):
            warnings.append("watch_flag")
    if warnings:
        warnings.insert(0, "possible_match")
    if case.duplicate_upload:
        warnings.append("duplicate_upload")
    return _decide(
        case=case,
        moderator=moderator,
        decision=decision,
        reason=reason or "",
        tags=tags,
        warnings=warnings,
        ban_category=ban_category,
    )


@transaction.atomic
def _decide(
    *,
    case: VerificationRequest,
    moderator: User,
    decision: str,
    reason: str,
    tags: dict[int, str],
    warnings: list[str],
    ban_category: str | None,
) -> Decision:
    case = VerificationRequest.objects.select_for_update().select_related("user").get(pk=case.pk)
    if case.state != State.IN_REVIEW or case.assignee_id != moderator.pk:
        raise Conflict(_("This case is no longer in your hands."), code="not_in_review")
    matched = "possible_match" in warnings
    applicant = case.user
    if decision == "approve" and matched and case.match_seen_by_id in (None, moderator.pk):
        # Never decided by a tag alone: a second moderator looks at it again.
        case.possible_match = True
        case.match_seen_by = moderator
        case.transition(State.SUBMITTED)
        case.assignee = None
        case.save()
        audit(AuditEntry.Kind.DECIDED, actor_id=moderator.pk, request_id=case.pk,
              outcome="senior_review")
        _record(
            case,
            moderator,
            ReviewRecord.Outcome.SENIOR_REVIEW,
            agreed=True if case.second_review else None,
        )
        case.second_review = False
        case.save(update_fields=["second_review"])
        return Decision("senior_review", warnings)
    if case.second_review and case.first_reviewer_id == moderator.pk:
        raise Conflict(
            _("A second, different moderator must review this approval."),
            code="second_review_other_moderator",
        )
    if (
        decision == "approve"
        and not case.second_review
        and case.match_seen_by_id is None
        and _draw_second_review()
    ):
        # Drawn for a second look: nothing takes effect and the documents stay
        # (same retention) until a different moderator confirms or overturns.
        _record(case, moderator, ReviewRecord.Outcome.SECOND_REVIEW)
        case.transition(State.SUBMITTED)
        case.second_review = True
        case.first_reviewer = moderator
        case.assignee = None
        case.save()
        audit(
            AuditEntry.Kind.DECIDED,
            actor_id=moderator.pk,
            request_id=case.pk,
            outcome="second_review",
        )
        return Decision("second_review", warnings)
    if decision == "approve":
        case.transition(State.APPROVED)
        case.reason = ""
        status = User.Status.MEMBER
    elif decision == "refuse":
        case.transition(State.REJECTED)
        case.reason = reason
        status = User.Status.REFUSED
    elif case.revision_count >= MAX_REVISIONS:
        case.transition(State.REJECTED)
        case.reason = ReasonCode.LIMIT_REACHED
        status = User.Status.REFUSED
    else:
        case.transition(State.REVISION_REQUESTED)
        case.revision_count += 1
        case.reason = reason
        status = User.Status.RESUBMIT
    case.decided_at = timezone.now()
    case.full_clean(exclude=["wrapped_dek"])
    _record(
        case,
        moderator,
        case.state,
        agreed=(decision == "approve") if case.second_review else None,
    )
    case.second_review = False
    case.save()
    user_set_status(user=applicant, status=status, actor=moderator)
    audit(
        AuditEntry.Kind.DECIDED,
        actor_id=moderator.pk,
        subject_id=applicant.pk,
        request_id=case.pk,
        outcome=case.state,
        reason=case.reason,
        warnings=warnings,
    )
    if ban_category and tags and decision == "refuse":
        ban_entry_propose(actor=moderator, tags=tags, reason_category=ban_category)
    _schedule_purge(case, cause=case.state, actor_id=moderator.pk)
    _notify(applicant)
    _surge_check_soon()
    return Decision(case.state, warnings)


# --------------------------------------------------------------------------
# Destruction
# --------------------------------------------------------------------------


def _schedule_purge(case: VerificationRequest, *, cause: str, actor_id: int | None) -> None:
    """Destroy the case's documents as part of the caller's transaction.

    The key, the document rows, the audit row and the receipt go in the same
    transaction as the decision: once the decision is visible, no document can be
    read, whether or not a worker is running. The ciphertext objects (now unreadable)
    are deleted by the worker, from a task queued with that same transaction; the
    reconciliation job deletes anything a lost task would leave.
    """
    from sorority.core.tasking import enqueue_with_transaction
    from sorority.verification import tasks

    names = _shred(case, cause=cause, actor_id=actor_id)
    enqueue_with_transaction(
        tasks.delete_vault_objects, request_id=str(case.pk), names=names
    )


def _shred(case: VerificationRequest, *, cause: str, actor_id: int | None) -> list[str]:
    """Delete the wrapped key and the document rows of a locked case (audited).

    Returns the names of the vault objects left to delete.
    """
    documents = list(case.documents.values_list("storage_name", "sha256"))
    key_version = case.key_version
    had_key = bool(case.wrapped_dek)
    case.wrapped_dek = None
    case.key_version = None
    case.save(update_fields=["wrapped_dek", "key_version"])
    case.documents.all().delete()
    if documents or had_key:
        audit(
            AuditEntry.Kind.PURGED,
            actor_id=actor_id,
            request_id=case.pk,
            cause=cause,
            objects=[name for name, _digest in documents],
            sha256=[digest for _name, digest in documents],
            key_version=key_version,
            destroyed_at=timezone.now().isoformat(),
        )
    if documents:
        DeletionReceipt.objects.create(
            user_id=case.user_id,
            request_id=case.pk,
            round=case.round,
            documents=len(documents),
        )
    return [name for name, _digest in documents]


def verification_purge(*, request_id: object, cause: str, actor_id: int | None = None) -> int:
    """Crypto-shred a case now: wrapped key, document rows, then every stored object.

    Returns the number of objects destroyed. Writes a `purged` audit row (object
    names, ciphertext hashes, destroyed key version, time) and a deletion receipt.
    """
    with transaction.atomic():
        case = VerificationRequest.objects.select_for_update().filter(pk=request_id).first()
        if case is None:
            return len(vault.delete_folder(str(request_id)))
        names = _shred(case, cause=cause, actor_id=actor_id)
    # The key is gone (committed): what remains is unreadable. Now the objects.
    return vault_objects_delete(request_id=str(request_id), names=names)


def vault_objects_delete(*, request_id: str, names: Sequence[str]) -> int:
    """Delete shredded objects of a case; its whole folder once the case is closed.

    A case asked for new photos keeps its folder: the next round may be writing in it.
    """
    removed = 0
    for name in names:
        try:
            vault.delete(name)
            removed += 1
        except OSError:
            logger.warning("Vault object of case %s not deleted; reconciliation will retry", request_id)
    case = VerificationRequest.objects.filter(pk=_uuid_or_none(request_id)).first()
    if case is None or case.is_final:
        removed += len(vault.delete_folder(request_id))
    return removed


@transaction.atomic
def verifications_expire(*, now: datetime.datetime | None = None) -> int:
    """Expire drafts older than 24 h and cases undecided after the retention period."""
    now = now or timezone.now()
    retention = datetime.timedelta(days=getattr(settings, "VERIFICATION_RETENTION_DAYS", 30))
    stale = VerificationRequest.objects.select_for_update().filter(
        Q(state=State.DRAFT, created_at__lt=now - datetime.timedelta(hours=24))
        | Q(state__in=PENDING_STATES, submitted_at__lt=now - retention)
        | Q(state=State.REVISION_REQUESTED, decided_at__lt=now - retention)
    )
    ids = [case.pk for case in stale]
    count = 0
    for case in VerificationRequest.objects.filter(pk__in=ids).select_related("user"):
        case.transition(State.EXPIRED)
        case.reason = ReasonCode.RETENTION_EXPIRED
        case.decided_at = now
        case.assignee = None
        case.save()
        if case.user.status in (User.Status.PENDING, User.Status.RESUBMIT):
            user_set_status(user=case.user, status=User.Status.APPLICANT)
        audit(AuditEntry.Kind.DECIDED, subject_id=case.user_id, request_id=case.pk,
              outcome="expired")
        _schedule_purge(case, cause="expired", actor_id=None)
        count += 1
    VerificationChallenge.objects.filter(expires_at__lt=now - datetime.timedelta(days=1)).exclude(
        request__state__in=OPEN_STATES
    ).delete()
    return count


def vault_reconcile(*, grace: datetime.timedelta = datetime.timedelta(minutes=30)) -> int:
    """Purge keys and objects of closed cases and orphan objects, raising an alert."""
    purged = 0
    leftovers = (
        VerificationRequest.objects.filter(state__in=VerificationRequest.FINAL_STATES)
        .filter(Q(wrapped_dek__isnull=False) | Q(documents__isnull=False))
        .values_list("pk", flat=True)
        .distinct()
    )
    for request_id in list(leftovers):
        logger.error("ALERT vault: key or documents left on closed case %s; purging", request_id)
        purged += verification_purge(request_id=request_id, cause="reconciled")
        audit(AuditEntry.Kind.RECONCILED, request_id=request_id, finding="closed_case")
    known = set(EvidenceDocument.objects.values_list("storage_name", flat=True))
    cutoff = timezone.now() - grace
    for folder_name in vault.request_folders():
        case = VerificationRequest.objects.filter(pk=_uuid_or_none(folder_name)).first()
        base = vault.folder(folder_name)
        _dirs, files = vault.list_folder(base)
        orphans = []
        for file_name in files:
            name = f"{base}/{file_name}"
            if name in known:
                continue
            if case is not None and not case.is_final and _newer_than(name, cutoff):
                continue  # a submission may be writing it right now
            orphans.append(name)
        for name in orphans:
            vault.delete(name)
        if orphans:
            logger.error("ALERT vault: %d orphan object(s) in folder %s purged", len(orphans), folder_name)
            audit(AuditEntry.Kind.RECONCILED, request_id=case.pk if case else None,
                  finding="orphan_objects", objects=orphans)
            purged += len(orphans)
        if not vault.list_folder(base)[1]:
            vault.remove_empty_dir(base)
    return purged


def _uuid_or_none(value: str) -> str | None:
    import uuid

    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _newer_than(name: str, cutoff: datetime.datetime) -> bool:
    try:
        return vault.storage().get_modified_time(name) > cutoff
    except (NotImplementedError, OSError):
        return False


# --------------------------------------------------------------------------
# Ban list (tags only, four eyes)
# --------------------------------------------------------------------------


@transaction.atomic
def ban_entry_propose(
    *,
    actor: User,
    reason_category: str,
    tags: dict[int, str] | None = None,
    family_name: str = "",
    given_names: str = "",
    birth_date: datetime.date | None = None,
    expires_at: datetime.datetime | None = None,
) -> BanEntry:
    """Propose a ban entry from tags (or a name, tagged in memory); inactive until approved."""
    if not is_moderator(actor):
        raise AccessDenied(_("Only moderators may propose a ban."), code="forbidden")
    if reason_category not in BanEntry.Category.values:
        raise ApplicationError(
            _("Choose a ban category."), code="invalid", fields={"reason_category": ["invalid"]}
        )
    if not tags:
        if not (family_name or given_names):
            raise ApplicationError(_("A name is needed."), code="invalid",
                                   fields={"family_name": ["required"]})
        tags = all_tags(
            family_name=family_name,
            given_names=given_names,
            birth_date=birth_date,
            keyring=settings.IDENTITY_TAG_KEYS,
        )
    version = max(tags)
    entry = BanEntry(tag=tags[version], key_version=version, reason_category=reason_category,
                     created_by=actor)
    if expires_at is not None:
        entry.expires_at = expires_at
    try:
        entry.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            _("This ban entry is not valid."), code="invalid", fields=exc.message_dict
        ) from None
    entry.save()
    audit(AuditEntry.Kind.BAN_PROPOSED, actor_id=actor.pk, ban_entry=entry.pk,
          category=reason_category)
    return entry


@transaction.atomic
def ban_entry_approve(*, entry: BanEntry, actor: User) -> BanEntry:
    """Approve a proposed ban entry: a second, different moderator only."""
    entry = BanEntry.objects.select_for_update().get(pk=entry.pk)
    if not is_moderator(actor):
        raise AccessDenied(_("Only moderators may approve a ban."), code="forbidden")
    if entry.created_by_id == actor.pk:
        raise Conflict(_("A second, different moderator must approve."), code="four_eyes_required")
    if entry.approved_by_id is not None:
        raise Conflict(_("This entry is already approved."), code="already_approved")
    entry.approved_by = actor
    entry.approved_at = timezone.now()
    entry.save(update_fields=["approved_by", "approved_at"])
    audit(AuditEntry.Kind.BAN_APPROVED, actor_id=actor.pk, ban_entry=entry.pk)
    return entry
