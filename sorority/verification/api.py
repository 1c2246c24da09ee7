"""JSON API of the verification flow and of its moderation (docs/api.md)."""

import datetime
import uuid

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from sorority.core.access import Access
from sorority.core.api import api_access
from sorority.core.errors import ApplicationError, NotFound
from sorority.verification import edge, gestures, selectors, services, statistics
from sorority.verification.models import EvidenceDocument, VerificationRequest
from sorority.verification.policies import (
    recently_authenticated,
)

API_PREFIX = ""
router = Router(tags=["verification"])


class ReauthenticationRequiredError(ApplicationError):
    code = "reauthentication_required"
    status = 401


class ChallengeOut(Schema):
    id: str
    instruction: str
    code: str
    pose: str
    expires_at: datetime.datetime


class ReceiptOut(Schema):
    deleted_at: datetime.datetime
    documents: int


class StatusOut(Schema):
    status: str
    reason: str | None = None
    receipts: list[ReceiptOut]
    # Her place in the queue over the decisions per hour of the last 7 days.
    expected_wait_hours: float | None = None


class SubmissionOut(Schema):
    status: str


class QueueItemOut(Schema):
    id: uuid.UUID
    submitted_at: datetime.datetime | None
    display_name: str
    claimed_by: str | None
    waiting_seconds: int
    possible_match: bool


class DetailOut(Schema):
    id: uuid.UUID
    instruction: str
    documents: list[str]
    possible_match: bool
    duplicate_upload: bool
    attested: bool
    revision_count: int


class DecisionIn(Schema):
    decision: str = Field(max_length=16)
    reason: str | None = Field(default=None, max_length=40)
    family_name: str = Field(default="", max_length=150)
    given_names: str = Field(default="", max_length=150)
    birth_date: datetime.date | None = None
    checklist: dict[str, bool] | None = None
    ban_category: str | None = Field(default=None, max_length=40)


class DecisionOut(Schema):
    outcome: str
    warnings: list[str]


SUBMISSION_BODY = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["challenge_id", "selfie", "id_front", "declaration"],
                    "properties": {
                        "challenge_id": {"type": "string"},
                        "selfie": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "minItems": 3,
                            "maxItems": 3,
                        },
                        "id_front": {"type": "string", "format": "binary"},
                        "id_back": {"type": "string", "format": "binary"},
                        "declaration": {"type": "boolean"},
                        "attestation_code": {
                            "type": "string",
                            "description": "optional one-time code from an association",
                        },
                    },
                }
            }
        },
        "required": True,
    }
}


@router.post(
    "/verification/challenge",
    response={201: ChallengeOut},
    auth=api_access(Access.SIGNED_IN),
)
def challenge(request: HttpRequest) -> Status:
    """Draw a liveness challenge: a pose and a code to handwrite, valid 10 minutes."""
    item = services.challenge_create(user=request.user, session_key=request.session.session_key)
    return Status(201, {
        "id": item.pk,
        "instruction": gestures.instruction(item.pose, item.code),
        "code": item.code,
        "pose": gestures.pose_text(item.pose),
        "expires_at": item.expires_at,
    })


@router.post(
    "/verification/submission",
    response={201: SubmissionOut},
    auth=api_access(Access.SIGNED_IN),
    openapi_extra=SUBMISSION_BODY,
)
def submission(request: HttpRequest) -> Status:
    """Send the three selfie stills and the document photos taken for a challenge."""
    edge.upload_size_ok(request)
    services.submission_create(
        user=request.user, session_key=request.session.session_key, **edge.uploads_from(request)
    )
    return Status(201, {"status": "pending"})


@router.get("/verification", response=StatusOut, auth=api_access(Access.SIGNED_IN))
def status(request: HttpRequest) -> dict:
    """Where her verification stands, with the dates her documents were deleted."""
    return selectors.verification_status(request.user)


@router.post("/verification/withdraw", response=StatusOut, auth=api_access(Access.SIGNED_IN))
def withdraw(request: HttpRequest) -> dict:
    """Withdraw her pending verification; the documents are destroyed at once."""
    services.verification_withdraw(user=request.user)
    request.user.refresh_from_db()
    return selectors.verification_status(request.user)


class AttestationOut(Schema):
    code: str
    expires_at: datetime.datetime


@router.post(
    "/verification/attestation-codes",
    response={201: AttestationOut},
    auth=api_access(Access.ASSOCIATION_STAFF),
)
def attestation_code(request: HttpRequest) -> Status:
    """A one-time code for a person the association vouches for (valid 7 days)."""
    code, item = services.attestation_code_create(staff=request.user)
    return Status(201, {"code": code, "expires_at": item.expires_at})


# --------------------------------------------------------------------------
# Moderation
# --------------------------------------------------------------------------


def _require_recent_authentication(request: HttpRequest) -> None:
    if not recently_authenticated(request):
        raise ReauthenticationRequiredError(
            "Confirm your identity again before viewing documents."
        )


@router.get(
    "/moderation/verifications",
    response=list[QueueItemOut],
    auth=api_access(Access.MODERATOR),
)
def queue(request: HttpRequest) -> list[dict]:
    """Cases waiting for a decision you may take, oldest first (surge: resubmissions first)."""
    surge = statistics.surge_state().active
    return [
        queue_item(case)
        for case in selectors.verification_queue(request.user, surge=surge)
    ]


class DistributionOut(Schema):
    count: int
    median_hours: float | None
    p95_hours: float | None
    max_hours: float | None


class WaitingOut(DistributionOut):
    buckets: dict[str, int]


class TimePerDecisionOut(Schema):
    count: int
    median_seconds: int | None
    p95_seconds: int | None


class RefusalOut(Schema):
    reason: str
    count: int
    share: float | None


class ModeratorDayOut(Schema):
    date: datetime.date
    decisions: int


class ModeratorStatsOut(Schema):
    moderator: str
    decisions: int
    per_active_day: float
    median_seconds: int | None
    days: list[ModeratorDayOut]


class SecondReviewOut(Schema):
    requested: int
    completed: int
    agreed: int
    overturned: int
    agreement_rate: float | None
    pending: int


class SurgeOut(Schema):
    active: bool
    pending: int
    threshold: int
    expected_wait_hours: float | None


class StatsOut(Schema):
    days: int
    generated_at: datetime.datetime
    waiting: WaitingOut
    decisions: int
    decisions_per_hour: float
    time_per_decision: TimePerDecisionOut
    time_to_decision: DistributionOut
    resubmission_share: float | None
    refusals: list[RefusalOut]
    moderators: list[ModeratorStatsOut]
    second_review: SecondReviewOut
    surge: SurgeOut


def stats_window(value: object) -> int:
    """The statistics window: 7 or 30 days (anything else is a clear 400)."""
    try:
        days = int(str(value))
    except ValueError:
        days = 0
    if days not in statistics.WINDOWS:
        raise ApplicationError(
            "Choose a window of 7 or 30 days.", code="invalid", fields={"days": ["7 or 30"]}
        )
    return days


@router.get(
    "/moderation/verifications/stats",
    response=StatsOut,
    auth=api_access(Access.MODERATOR),
)
def stats(request: HttpRequest, days: str = "7") -> dict:
    """The queue measured: waiting times, decisions, refusals, second reviews (no personal data)."""
    return statistics.queue_statistics(days=stats_window(days))


@router.post(
    "/moderation/verifications/next",
    response={200: QueueItemOut, 404: None},
    auth=api_access(Access.MODERATOR),
)
def claim_next(request: HttpRequest) -> dict:
    """Claim the next case you may review (surge-aware order)."""
    case = services.verification_claim_next(moderator=request.user)
    if case is None:
        raise NotFound("No verification is waiting for you.", code="queue_empty")
    return _fresh_item(case)


@router.post(
    "/moderation/verifications/{case_id}/recuse",
    response=QueueItemOut,
    auth=api_access(Access.MODERATOR),
)
def recuse(request: HttpRequest, case_id: str) -> dict:
    """Say "I know this person": the case goes back, never offered to you again."""
    case = services.verification_recuse(
        case=edge.case_for(request, case_id), moderator=request.user
    )
    return _fresh_item(case)


def _fresh_item(case: VerificationRequest) -> dict:
    cases = VerificationRequest.objects.select_related("user", "assignee")
    return queue_item(cases.get(pk=case.pk))


def queue_item(case: VerificationRequest) -> dict:
    from django.utils import timezone

    waited = timezone.now() - (case.submitted_at or case.created_at)
    return {
        "id": case.pk,
        "submitted_at": case.submitted_at,
        "display_name": case.user.display_name,
        "claimed_by": case.assignee.display_name if case.assignee else None,
        "waiting_seconds": int(waited.total_seconds()),
        "possible_match": case.possible_match,
    }


@router.post(
    "/moderation/verifications/{case_id}/claim",
    response=QueueItemOut,
    auth=api_access(Access.MODERATOR),
)
def claim(request: HttpRequest, case_id: str) -> dict:
    """Take a case: from now on only you may view its documents and decide."""
    case = services.verification_claim(case=edge.case_for(request, case_id), moderator=request.user)
    return queue_item(case)


@router.get(
    "/moderation/verifications/{case_id}",
    response=DetailOut,
    auth=api_access(Access.MODERATOR),
)
def detail(request: HttpRequest, case_id: str) -> dict:
    """The instruction given to the applicant and the names of her documents."""
    case = edge.case_for(request, case_id)
    _require_recent_authentication(request)
    return edge.case_detail(case, request.user)


@router.get(
    "/moderation/verifications/{case_id}/documents/{name}",
    auth=api_access(Access.MODERATOR),
    openapi_extra={"responses": {200: {"description": "image/jpeg"}}},
)
def document(request: HttpRequest, case_id: str, name: str) -> HttpResponse:
    """One document image, decrypted in memory for the assignee; every view is audited."""
    case = edge.case_for(request, case_id)
    if name not in EvidenceDocument.Kind.values:
        raise NotFound("Not found.")
    _require_recent_authentication(request)
    return edge.document_response(
        services.document_view(case=case, moderator=request.user, kind=name)
    )


@router.post(
    "/moderation/verifications/{case_id}/decision",
    response=DecisionOut,
    auth=api_access(Access.MODERATOR),
)
def decision(request: HttpRequest, case_id: str, payload: DecisionIn) -> dict:
    """Approve, refuse or ask for new photos; the documents are destroyed at once."""
    case = edge.case_for(request, case_id)
    result = services.verification_decide(
        case=case, moderator=request.user, **payload.dict()
    )
    return {"outcome": result.outcome, "warnings": result.warnings}
