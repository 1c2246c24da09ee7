"""Pydantic schemas of the associations and cases API."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from sorority.associations.models import Case, HostRequest
from sorority.core.ids import Id, id_list


class AssociationIn(Schema):
    name: str = Field(min_length=1, max_length=150)
    identifier: str = Field(max_length=20)
    address: str = Field(min_length=1, max_length=300)


class AssociationOut(Schema):
    id: int
    name: str
    identifier_kind: str
    identifier: str
    address: str
    status: str
    representative_id: int | None


class DecisionIn(Schema):
    decision: Literal["approve", "refuse"]
    reason: str = Field("", max_length=300)


class InviteIn(Schema):
    member: str = Field(min_length=1, max_length=254, description="member id or e-mail")


class InvitationOut(Schema):
    """An invitation as the association sees it: the same for every address."""

    id: int
    association_id: int
    address: str
    status: str
    created_at: datetime


class MembershipOut(Schema):
    id: int
    association_id: int
    member_id: int = Field(alias="user_id")
    display_name: str = Field(alias="user.display_name")
    status: str
    is_representative: bool


class Needs(Schema):
    need: Literal["safe_place", "support"] | None = None
    support_kinds: list[str] | None = None
    adults: int | None = Field(None, ge=1, le=10)
    children_ages: list[int] | None = Field(None, max_length=10)
    animals: list[str] | None = None
    nights: int | None = Field(None, ge=1, le=365)
    step_free: bool | None = None
    target_commune: str | None = Field(None, max_length=5)
    avoid_commune: str | None = Field(None, max_length=5)
    avoid_radius_km: int | None = Field(None, ge=0, le=100)


class CaseIn(Needs):
    association_id: Id | None = None
    label: str = Field(min_length=1, max_length=60)
    notes: str = Field("", max_length=10_000)


class CasePatch(Needs):
    label: str | None = Field(None, min_length=1, max_length=60)
    notes: str | None = Field(None, max_length=10_000)
    status: Literal["open", "searching", "placed", "closed"] | None = None
    referent_id: Id | None = None


class CaseSummary(Schema):
    id: int
    association_id: int
    label: str
    status: str
    need: str
    referent_id: int | None
    updated_at: datetime


class RequestOut(Schema):
    id: int
    host_id: int
    host_display_name: str = Field(alias="host.display_name")
    batch: int
    status: str
    conversation_id: int | None
    created_at: datetime
    answered_at: datetime | None


class FollowUpOut(Schema):
    id: int
    with_whom: str
    due_at: datetime
    status: str
    outcome: str
    note: str


class PlacementOut(Schema):
    id: int
    host_id: int | None
    starts_on: date
    expected_end_on: date
    duress_answer: str
    ended_at: datetime | None
    end_reason: str
    follow_ups: list[FollowUpOut]

    @staticmethod
    def resolve_follow_ups(obj: object) -> list:
        return list(obj.follow_ups.all())  # type: ignore[attr-defined]


class CaseOut(CaseSummary):
    support_kinds: list[str]
    adults: int
    children_ages: list[int]
    animals: list[str]
    nights: int
    step_free: bool
    target_commune: str
    avoid_commune: str
    avoid_radius_km: int
    safety_asked_at: datetime | None
    safety_threatened: bool | None
    notes: str
    created_at: datetime
    closed_at: datetime | None
    notes_retained_until: datetime | None
    requests: list[RequestOut]
    placements: list[PlacementOut]

    @staticmethod
    def resolve_requests(obj: Case) -> list:
        return list(obj.requests.all())

    @staticmethod
    def resolve_placements(obj: Case) -> list:
        return list(obj.placements.all())


class EventOut(Schema):
    kind: str
    actor_id: int | None
    actor_display_name: str | None
    created_at: datetime
    data: dict

    @staticmethod
    def resolve_actor_display_name(obj: object) -> str | None:
        actor = obj.actor  # type: ignore[attr-defined]
        return actor.display_name if actor else None


class SafetyIn(Schema):
    threatened: bool


class HostOut(Schema):
    member_id: int
    display_name: str
    distance: str
    area: str
    offer: dict


class OutreachIn(Schema):
    host_ids: id_list(50, min_items=1)  # type: ignore[valid-type]
    message: str = Field("", max_length=1000)


class AnswerIn(Schema):
    answer: Literal["accepted", "declined"]


class PlacementIn(Schema):
    request_id: Id
    starts_on: date
    expected_end_on: date
    duress_answer: Literal["quiet_day", "nothing_new", ""] = ""


class FollowUpIn(Schema):
    with_whom: Literal["host", "guest"] = Field(alias="with")
    due_at: datetime


class CheckInIn(Schema):
    answer: Literal["fine", "quiet_day", "nothing_new", "issue"]
    note: str = Field("", max_length=500)


class EndIn(Schema):
    reason: str = Field("", max_length=300)
    rehouse: bool = False


class HostRequestOut(Schema):
    id: int
    association: str = Field(alias="case.association.name")
    referent_display_name: str | None
    message: str
    status: str
    created_at: datetime

    @staticmethod
    def resolve_referent_display_name(obj: HostRequest) -> str | None:
        return obj.sent_by.display_name if obj.sent_by else None


class HostingOut(Schema):
    id: int
    association: str = Field(alias="case.association.name")
    referent_id: int | None = Field(alias="case.referent_id")
    referent_display_name: str | None
    starts_on: date
    expected_end_on: date
    ended_at: datetime | None

    @staticmethod
    def resolve_referent_display_name(obj: object) -> str | None:
        referent = obj.case.referent  # type: ignore[attr-defined]
        return referent.display_name if referent else None


class Ok(Schema):
    ok: bool = True
