"""Reports over JSON (docs/api.md, Contact) and the moderators' report queue."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from sorority.core.access import Access
from sorority.core.api import api_access
from sorority.core.ids import Id
from sorority.moderation import services
from sorority.moderation.models import Report
from sorority.moderation.policies import reports_visible_to

API_PREFIX = ""
router = Router(tags=["moderation"], auth=api_access(Access.MEMBER))


class ReportIn(Schema):
    member_id: Id | None = None
    message_id: Id | None = None
    reason: str = Field(..., max_length=32)
    details: str = Field("", max_length=20000)


class ReportCreatedOut(Schema):
    id: int
    status: str


class ReportOut(Schema):
    id: int
    reason: str
    details: str
    status: str
    reported_id: int | None
    message_id: int | None
    message_text: str
    created_at: datetime


@router.post(
    "/reports", response={201: ReportCreatedOut}, auth=api_access(Access.MEMBER)
)
def report_create(request: HttpRequest, payload: ReportIn) -> Status:
    """Report a member or a message to the moderators."""
    report = services.report_create(
        reporter=request.user,
        member_id=payload.member_id,
        message_id=payload.message_id,
        reason=payload.reason,
        details=payload.details,
    )
    return Status(201, {"id": report.pk, "status": report.status})


@router.get(
    "/moderation/reports",
    response=list[ReportOut],
    auth=api_access(Access.MODERATOR),
)
def report_queue(request: HttpRequest) -> list[Report]:
    """Open reports, oldest first (moderators with a second factor)."""
    return list(
        reports_visible_to(request.user).filter(status=Report.Status.OPEN)[:500]
    )
