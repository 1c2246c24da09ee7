"""JSON API: her profile, communes, searches and the map (docs/api.md)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from sorority.core.access import Access
from sorority.core.api import api_access
from sorority.core.errors import ApplicationError
from sorority.places import gazetteer, geo, search, selectors, services
from sorority.places.schemas import (
    CellMembersOut,
    LocatedOut,
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


_LAT_IN_URL = (
    "Kept for compatibility; do not use. A position in a URL ends up in logs, "
    "proxies and the browser history: send it in the body of "
    "`POST {path}` instead, or pass the `cell` of a previous answer "
    "(`origin.cell`). Snapped at once to its res-7 cell, never stored."
)


def _position_field(path: str) -> object:
    return Field(
        None,
        description=_LAT_IN_URL.format(path=path),
        json_schema_extra={"deprecated": True},
    )


class SearchFields(Schema):
    place: str | None = Field(None, description="INSEE code of the commune searched from")
    cell: str | None = Field(
        None,
        description=(
            "H3 id of the area searched from (resolution 7 or coarser), e.g. the "
            "`origin.cell` of a previous answer: the only place data a URL may carry."
        ),
    )
    avoid_place: str | None = None
    avoid_radius_km: float | None = None
    limit: int = 20
    offset: int = 0


class PositionBody(Schema):
    lat: float | None = Field(
        None, description="The searcher's latitude: snapped at once to its res-7 cell"
    )
    lng: float | None = Field(None, description="Snapped with lat, never stored or logged")


class SupportFilters(Schema):
    kinds: str = Field("", description="Kinds of help, comma-separated (any of them)")


class SafePlaceFilters(Schema):
    adults: int = 0
    children: int = 0
    animals: str = Field("", description="Animals coming with her, comma-separated")
    nights: int = 0
    step_free: bool = False
    now: bool = False
    no_men_at_night: bool = False
    type: str = ""


class SupportQuery(SearchFields, SupportFilters):
    lat: float | None = _position_field("/api/v1/search/support")
    lng: float | None = _position_field("/api/v1/search/support")


class SafePlaceQuery(SearchFields, SafePlaceFilters):
    lat: float | None = _position_field("/api/v1/search/safe-places")
    lng: float | None = _position_field("/api/v1/search/safe-places")


class SupportBody(SearchFields, SupportFilters, PositionBody):
    """A support search with her position in the body (preferred to GET ?lat=&lng=)."""

    kinds: str | list[str] = Field("", description="Kinds of help (any of them)")


class SafePlaceBody(SearchFields, SafePlaceFilters, PositionBody):
    """A safe-place search with her position in the body (preferred to GET ?lat=&lng=)."""

    animals: str | list[str] = Field("", description="Animals coming with her")


class LocateIn(Schema):
    lat: float = Field(description="Her position: snapped at once, never stored or logged")
    lng: float


def _split(value: str | list[str]) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    return tuple(v.strip() for v in items if v.strip())


def _origin(request: HttpRequest, q: SearchFields) -> selectors.Origin:
    """Where from; a position is snapped to its cell on arrival (origin_for)."""
    return selectors.origin_for(
        request.user, place=q.place, cell=q.cell,
        lat=getattr(q, "lat", None), lng=getattr(q, "lng", None),
    )


def _run(request: HttpRequest, kind: str, q: SearchFields, filters: search.Filters) -> dict:
    origin = _origin(request, q)
    avoid = selectors.avoid_for(q.avoid_place, q.avoid_radius_km)
    found = selectors.search_offers(
        request.user, kind=kind, origin=origin, filters=filters, avoid=avoid,
        limit=q.limit, offset=q.offset,
    )
    return {
        "results": found.results,
        "has_more": found.has_more,
        "origin": {
            "lat": origin.lat,
            "lng": origin.lng,
            "area": origin.label,
            "cell": geo.cell_to_str(origin.cell) if origin.cell is not None else None,
        },
        "offset": found.offset,
        "limit": found.limit,
    }


def _safe_filters(q: SafePlaceFilters | SafePlaceBody) -> search.Filters:
    return selectors.safe_place_filters(
        adults=q.adults, children=q.children, animals=_split(q.animals), nights=q.nights,
        step_free=q.step_free, immediate=q.now, no_men_at_night=q.no_men_at_night,
        place_type=q.type,
    )


_GET_NOTE = (
    " Prefer `POST` with the same fields in a JSON body when searching from a "
    "position: `lat`/`lng` in this URL are kept only for compatibility."
)


@router.get(
    "/search/support", response=SearchOut, auth=MEMBER,
    description="Members offering help/support, nearest first (kinds: any of them)."
    + _GET_NOTE,
)
def search_support(request: HttpRequest, q: Query[SupportQuery]) -> dict:
    """Members offering help/support, nearest first (kinds: any of them)."""
    return _run(request, "support", q, selectors.support_filters(_split(q.kinds)))


@router.post("/search/support", response=SearchOut, auth=MEMBER)
def search_support_post(request: HttpRequest, payload: SupportBody) -> dict:
    """The support search with her position (or place, or cell) in the JSON body.

    The position is snapped at once to its res-7 cell; `origin.cell` in the answer
    is what to send (`cell`) for the next pages.
    """
    return _run(
        request, "support", payload, selectors.support_filters(_split(payload.kinds))
    )


@router.get(
    "/search/safe-places", response=SearchOut, auth=MEMBER,
    description="Available safe places, nearest first, with what she needs." + _GET_NOTE,
)
def search_safe_places(request: HttpRequest, q: Query[SafePlaceQuery]) -> dict:
    """Available safe places, nearest first, with what she needs."""
    return _run(request, "safe_place", q, _safe_filters(q))


@router.post("/search/safe-places", response=SearchOut, auth=MEMBER)
def search_safe_places_post(request: HttpRequest, payload: SafePlaceBody) -> dict:
    """The safe-place search with her position (or place, or cell) in the JSON body.

    The position is snapped at once to its res-7 cell; `origin.cell` in the answer
    is what to send (`cell`) for the next pages.
    """
    return _run(request, "safe_place", payload, _safe_filters(payload))


@router.post("/map/locate", response=LocatedOut, auth=MEMBER)
def map_locate(request: HttpRequest, payload: LocateIn) -> dict:
    """"Around me" on the map: the res-7 cell of her position and its centre.

    The map pans to the cell centre, so the viewport it asks counts for (bbox)
    never centres on her position.
    """
    origin = selectors.origin_for(request.user, lat=payload.lat, lng=payload.lng)
    return {
        "cell": geo.cell_to_str(origin.cell),
        "resolution": geo.cell_resolution(origin.cell),
        "lat": origin.lat,
        "lng": origin.lng,
        "area": origin.label,
    }


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
