"""JSON API: her profile, communes, searches and the map (API.md)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema

from sorority.core.access import Access
from sorority.core.api import api_access
from sorority.core.errors import ApplicationError
from sorority.places import gazetteer, search, selectors, services
from sorority.places.schemas import (
    CellMembersOut,
    MapOut,
    PlaceOut,
    ProfileIn,
    ProfileOut,
    SearchOut,
)

router = Router(tags=["places"])
API_PREFIX = ""

MEMBER = api_access(Access.MEMBER)


@router.get("/me/profile", response=ProfileOut, auth=MEMBER)
def profile_get(request: HttpRequest) -> dict:
    """Her profile, location (her cell) and offers."""
    return selectors.own_profile(request.user)


@router.patch("/me/profile", response=ProfileOut, auth=MEMBER)
def profile_patch(request: HttpRequest, payload: ProfileIn) -> dict:
    """Change her profile; `place` or `lat`/`lng` are snapped at once to her cell."""
    services.profile_update(
        user=request.user, data=payload.model_dump(exclude_unset=True, mode="json")
    )
    return selectors.own_profile(request.user)


# Commune centres are public data (the offline gazetteer); signed-in people only,
# to keep the API from being a free geocoder for everyone.
@router.get("/places", response=list[PlaceOut], auth=api_access(Access.SIGNED_IN))
def places(request: HttpRequest, q: str = "", limit: int = 10) -> list:
    """Communes by name or postcode prefix, best first (centres only)."""
    return [
        {
            "code": c.code,
            "name": c.name,
            "postcode": c.postcode,
            "department": c.department,
            "lat": c.lat,
            "lng": c.lng,
        }
        for c in gazetteer.search(q, limit=max(1, min(limit, 20)))
    ]


class SearchQuery(Schema):
    lat: float | None = None
    lng: float | None = None
    place: str | None = None
    avoid_place: str | None = None
    avoid_radius_km: float | None = None
    limit: int = 20
    offset: int = 0


class SupportQuery(SearchQuery):
    kinds: str = ""


class SafePlaceQuery(SearchQuery):
    adults: int = 0
    children: int = 0
    animals: str = ""
    nights: int = 0
    step_free: bool = False
    now: bool = False
    no_men_at_night: bool = False
    type: str = ""


def _split(text: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in text.split(",") if v.strip())


def _run(request: HttpRequest, kind: str, q: SearchQuery, filters: search.Filters) -> dict:
    origin = selectors.origin_for(request.user, place=q.place, lat=q.lat, lng=q.lng)
    avoid = selectors.avoid_for(q.avoid_place, q.avoid_radius_km)
    found = selectors.search_offers(
        request.user, kind=kind, origin=origin, filters=filters, avoid=avoid,
        limit=q.limit, offset=q.offset,
    )
    return {
        "results": found.results,
        "has_more": found.has_more,
        "origin": {"lat": origin.lat, "lng": origin.lng, "area": origin.label},
        "offset": found.offset,
        "limit": found.limit,
    }


@router.get("/search/support", response=SearchOut, auth=MEMBER)
def search_support(request: HttpRequest, q: Query[SupportQuery]) -> dict:
    """Members offering help/support, nearest first (kinds: any of them)."""
    return _run(request, "support", q, selectors.support_filters(_split(q.kinds)))


@router.get("/search/safe-places", response=SearchOut, auth=MEMBER)
def search_safe_places(request: HttpRequest, q: Query[SafePlaceQuery]) -> dict:
    """Available safe places, nearest first, with what she needs."""
    filters = selectors.safe_place_filters(
        adults=q.adults, children=q.children, animals=_split(q.animals), nights=q.nights,
        step_free=q.step_free, immediate=q.now, no_men_at_night=q.no_men_at_night,
        place_type=q.type,
    )
    return _run(request, "safe_place", q, filters)


@router.get("/map", response=MapOut, auth=MEMBER)
def map_view(
    request: HttpRequest, bbox: str = "", zoom: int = 6, layer: str = "support"
) -> dict:
    """Counts per cell in the viewport (coarser cells when zoomed out)."""
    return selectors.map_cells(
        request.user, bbox=selectors.parse_bbox(bbox), zoom=zoom, layer=layer
    )


@router.get("/map/cells/{cell}", response=CellMembersOut, auth=MEMBER)
def map_cell(
    request: HttpRequest, cell: str, layer: str = "support", level: int | None = None
) -> dict:
    """The members counted in one map cell (cards, at most 50)."""
    return selectors.cell_members(request.user, cell=cell, layer=layer, level=level)


__all__ = ["API_PREFIX", "ApplicationError", "router"]
