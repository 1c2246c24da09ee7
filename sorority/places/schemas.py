"""API schemas for profiles, places, search and the map (docs/api.md)."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Schema


class DateRange(Schema):
    start: str
    end: str


class SupportIn(Schema):
    offered: bool | None = None
    kinds: list[str] | None = None
    availability: str | None = Field(None, max_length=200)


class SafePlaceIn(Schema):
    offered: bool | None = None
    type: Literal["couch", "room", "home"] | None = None
    adults: int | None = Field(None, ge=1, le=20)
    children: int | None = Field(None, ge=0, le=20)
    animals: list[str] | None = None
    step_free: bool | None = None
    max_nights: int | None = Field(None, ge=1, le=365)
    household: str | None = Field(None, max_length=300)
    men_at_night: bool | None = None
    availability: Literal["now", "dates", "on_request"] | None = None
    date_ranges: list[DateRange] | None = None
    tonight: bool | None = Field(
        None, description="Available tonight: turns itself off at 10:00 the next morning."
    )
    available: bool | None = Field(
        None, description="Shortcut: true sets availability to now, false to dates."
    )
    visibility: Literal["members", "associations"] | None = None


class ContactIn(Schema):
    phone: str | None = Field(
        None,
        max_length=30,
        description="Spaces, dots, dashes and brackets allowed; stored in E.164 (+33...)",
    )
    show_phone: bool | None = None
    show_email: bool | None = None
    accepts_group_requests: bool | None = None


class ProfileIn(Schema):
    display_name: str | None = Field(None, max_length=40)
    avatar: str | None = None
    bio: str | None = Field(None, max_length=500)
    languages: list[str] | None = None
    precision: Literal["town", "district", "area"] | None = None
    place: str | None = Field(None, max_length=5, description="INSEE commune code")
    lat: float | None = Field(None, description="Snapped at once, never stored")
    lng: float | None = None
    paused: bool | None = None
    support: SupportIn | None = None
    safe_place: SafePlaceIn | None = None
    contact: ContactIn | None = None


class LocationOut(Schema):
    cell: str = Field(description="H3 index of the stored display cell")
    resolution: int
    lat: float = Field(description="Centre of the cell")
    lng: float
    area: str


class SupportOut(Schema):
    offered: bool
    kinds: list[str]
    availability: str


class SafePlaceOut(Schema):
    offered: bool
    type: str
    adults: int
    children: int
    animals: list[str]
    step_free: bool
    max_nights: int
    household: str
    men_at_night: bool
    availability: str
    date_ranges: list[DateRange]
    tonight: bool
    available: bool
    available_now: bool
    visibility: str | None = None


class ContactOut(Schema):
    chat: bool = True
    phone: str | None = Field(None, description="Only if she chose to show it")
    email: str | None = Field(None, description="Only if she chose to show it")
    accepts_group_requests: bool
    show_phone: bool | None = None
    show_email: bool | None = None


class ProfileOut(Schema):
    member_id: int
    display_name: str
    avatar: str
    avatar_url: str
    bio: str
    languages: list[str]
    precision: str
    location: LocationOut | None
    paused: bool
    support: SupportOut
    safe_place: SafePlaceOut
    contact: ContactOut


class PlaceOut(Schema):
    code: str
    name: str
    postcode: str
    department: str
    lat: float = Field(description="Public centre of the commune (town hall)")
    lng: float


class CardOut(Schema):
    member_id: int
    display_name: str
    avatar: str
    avatar_url: str
    bio: str
    languages: list[str]
    area: str = Field(description="Name of her cell's area, never finer than the cell")
    support: SupportOut | None
    safe_place: SafePlaceOut | None
    contact: ContactOut


class ResultOut(CardOut):
    distance_km: int = Field(
        description=(
            "Distance between cell centres, rounded: < 10 km to 1 km, < 50 km to "
            "5 km, else to 10 km. When distance_floor is true it means "
            "'less than distance_km' (the floor, 2 km)."
        )
    )
    distance_floor: bool
    distance_label: str = Field(description='"< 2 km", "7 km", "120 km"')


class OriginOut(Schema):
    lat: float = Field(description="Cell or commune centre searched from")
    lng: float
    area: str
    cell: str | None = Field(
        None,
        description=(
            "H3 id of the res-7 area searched from, when it was a position or a cell: "
            "pass it as `cell` for the next pages instead of a position."
        ),
    )


class LocatedOut(Schema):
    cell: str = Field(description="H3 id of the res-7 cell holding the position")
    resolution: int
    lat: float = Field(description="Centre of the cell (never the position)")
    lng: float
    area: str


class SearchOut(Schema):
    results: list[ResultOut]
    has_more: bool
    origin: OriginOut
    offset: int
    limit: int


class MapCellOut(Schema):
    cell: str
    lat: float
    lng: float
    count: int


class MapOut(Schema):
    cells: list[MapCellOut]
    resolution: int
    truncated: bool


class CellMembersOut(Schema):
    cell: str
    lat: float
    lng: float
    count: int
    members: list[CardOut]
    truncated: bool
