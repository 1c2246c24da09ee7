"""Reads for pages and the API: search results as cards, map cells, cell members.

Everything returned derives from stored cells: cell centres, distances between
cell (or commune) centres rounded with a floor, area names of cells.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connection
from django.templatetags.static import static

from sorority.core.errors import ApplicationError
from sorority.places import gazetteer, geo, locate, search
from sorority.places.models import (
    CellCount,
    OfferIndex,
    Profile,
    SafePlaceOffer,
)
from sorority.places.services import layers_of, map_cell_of, safe_place_availability

if TYPE_CHECKING:
    from sorority.accounts.models import User

MAX_LIMIT = 50
MAX_OFFSET = 1000
#: Map payload bounds (docs/performance.md T5: <= 2,000 cells and <= 50 KB). A cell
#: is at most ~72 bytes of JSON, so 650 cells stay under 47 KB.
MAP_MAX_CELLS = 650
CELL_MEMBERS_LIMIT = 50
_CELL_AREA_KM2 = {3: 12393.0, 4: 1770.0, 5: 252.9, 6: 36.1, 7: 5.16}
KINDS = {"support": OfferIndex.Kind.SUPPORT, "safe_place": OfferIndex.Kind.SAFE_PLACE}


def _bad(field: str, message: str, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, fields={field: [message]})


# --------------------------------------------------------------------------- #
# Who is searching
# --------------------------------------------------------------------------- #


def viewer_for(user: User) -> search.Viewer:
    """Her exclusions (herself, blocks both ways) and rights."""
    from sorority.accounts.policies import blocked_user_ids, is_association_staff

    return search.Viewer(
        user_id=user.pk,
        excluded_ids=frozenset(blocked_user_ids(user)),
        association_staff=is_association_staff(user),
    )


@dataclass(frozen=True)
class Origin:
    lat: float
    lng: float
    label: str
    #: The res-7 (or coarser) cell searched from, when it was a position or a cell.
    cell: int | None = None


def origin_for(
    user: User,
    *,
    place: str | None = None,
    cell: str | None = None,
    lat: float | None = None,
    lng: float | None = None,
) -> Origin:
    """Where to search from: a commune, a cell, a position snapped at once, or her cell.

    A position is snapped to its res-7 cell before anything else and only the cell
    is used (and returned); errors never repeat the values given (docs/security.md).
    """
    from sorority.places import position

    if place:
        commune = gazetteer.get(place)
        if commune is None:
            raise _bad("place", "Unknown commune code.", code="unknown_place")
        return Origin(commune.lat, commune.lng, locate.area_label(commune))
    cell_id: int | None = None
    if cell:
        try:
            cell_id = position.parse_cell(cell)
        except ValueError as exc:
            raise _bad("cell", str(exc)) from None
    elif lat is not None or lng is not None:
        if lat is None or lng is None:
            raise _bad("lat", "Give both lat and lng.")
        try:
            cell_id = position.snap_cell(lat, lng)
        except position.PositionError as exc:
            raise _bad("lat", str(exc)) from None
        del lat, lng  # only the cell from here on
    if cell_id is not None:
        clat, clng = geo.cell_center(cell_id)
        try:
            label = locate.area_label(locate.area_for_cell(cell_id))
        except locate.OutsideCoverageError:
            label = ""
        return Origin(clat, clng, label, cell_id)
    profile = Profile.objects.filter(user=user).first()
    if profile is None or profile.cell is None:
        raise _bad(
            "place",
            "Choose a town to search from, or set your own in your profile.",
            code="location_required",
        )
    return Origin(profile.pub_lat, profile.pub_lng, locate.area_label(
        locate.area_for_cell(profile.cell)
    ))


def avoid_for(place: str | None, radius_km: float | None) -> search.Avoid | None:
    """An area to avoid around a commune (radius 1-100 km, default 10)."""
    if not place:
        return None
    commune = gazetteer.get(place)
    if commune is None:
        raise _bad("avoid_place", "Unknown commune code.", code="unknown_place")
    radius = 10.0 if radius_km is None else radius_km
    if not (math.isfinite(radius) and 0 <= radius <= 100):
        raise _bad("avoid_radius_km", "The radius must be between 0 and 100 km.")
    return search.Avoid(commune.lat, commune.lng, radius)


# --------------------------------------------------------------------------- #
# Cards
# --------------------------------------------------------------------------- #


def avatar_url(name: str) -> str:
    return static(f"places/avatars/{name}.svg")


def _support_card(profile: Profile) -> dict | None:
    support = getattr(profile, "support", None)
    if support is None or not support.offered:
        return None
    return {
        "offered": True,
        "kinds": list(support.kinds),
        "availability": support.availability,
    }


def _safe_card(profile: Profile, staff: bool) -> dict | None:
    safe = getattr(profile, "safe_place", None)
    if safe is None or not safe.offered:
        return None
    if safe.visibility == SafePlaceOffer.Visibility.ASSOCIATIONS and not staff:
        return None
    available, immediate = safe_place_availability(safe)
    return {
        "offered": True,
        "type": safe.type,
        "adults": safe.adults,
        "children": safe.children,
        "animals": list(safe.animals),
        "step_free": safe.step_free,
        "max_nights": safe.max_nights,
        "household": safe.household,
        "men_at_night": safe.men_at_night,
        "availability": safe.availability,
        "date_ranges": list(safe.date_ranges),
        "tonight": immediate and safe.availability != SafePlaceOffer.Availability.NOW,
        "available": available,
        "available_now": immediate,
    }


def contact_card(profile: Profile) -> dict:
    """Contact options: chat always; phone and e-mail only if she chose to show them."""
    return {
        "chat": True,
        "phone": profile.phone if profile.show_phone and profile.phone else None,
        "email": profile.user.email if profile.show_email else None,
        "accepts_group_requests": profile.accepts_group_requests,
    }


def cards_for(member_ids: list[int], viewer: search.Viewer) -> dict[int, dict]:
    """Public cards of members by id (one query)."""
    profiles = Profile.objects.select_related("user", "support", "safe_place").filter(
        user_id__in=member_ids
    )
    cards = {}
    for p in profiles:
        cards[p.user_id] = {
            "member_id": p.user_id,
            "display_name": p.user.display_name,
            "avatar": p.avatar,
            "avatar_url": avatar_url(p.avatar),
            "bio": p.bio,
            "languages": list(p.languages),
            "area": locate.area_label(locate.area_for_cell(p.cell)) if p.cell else "",
            "support": _support_card(p),
            "safe_place": _safe_card(p, viewer.association_staff),
            "contact": contact_card(p),
        }
    return cards


# --------------------------------------------------------------------------- #
# Search
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class SearchResults:
    results: list[dict]
    has_more: bool
    origin: Origin
    offset: int
    limit: int


def search_offers(
    user: User,
    *,
    kind: str,
    origin: Origin,
    filters: search.Filters,
    avoid: search.Avoid | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResults:
    """Nearest offers of ``kind`` as cards, nearest first, one page."""
    if not 1 <= limit <= MAX_LIMIT:
        raise _bad("limit", f"The limit must be between 1 and {MAX_LIMIT}.")
    if not 0 <= offset <= MAX_OFFSET:
        raise _bad("offset", f"The offset must be between 0 and {MAX_OFFSET}.")
    viewer = viewer_for(user)
    page = search.nearest(
        lat=origin.lat,
        lng=origin.lng,
        kind=KINDS[kind],
        filters=filters,
        viewer=viewer,
        avoid=avoid,
        limit=limit,
        offset=offset,
    )
    cards = cards_for([h.member_id for h in page.hits], viewer)
    results = []
    for hit in page.hits:
        card = cards.get(hit.member_id)
        if card is None:
            continue
        km, is_floor = geo.rounded_distance(hit.distance_km)
        results.append(
            {
                **card,
                "distance_km": km,
                "distance_floor": is_floor,
                "distance_label": str(geo.display_distance(hit.distance_km)),
            }
        )
    return SearchResults(results, page.has_more, origin, offset, limit)


# --------------------------------------------------------------------------- #
# Map
# --------------------------------------------------------------------------- #


def layer_for(layer: str, viewer: search.Viewer) -> int:
    if layer == "support":
        return CellCount.Layer.SUPPORT
    if layer == "safe_place":
        return (
            CellCount.Layer.SAFE_PLACE_ALL
            if viewer.association_staff
            else CellCount.Layer.SAFE_PLACE
        )
    raise _bad("layer", "Choose the support or safe_place layer.")


def level_for_zoom(zoom: int) -> int:
    """Map resolution for a Leaflet zoom level (3 when zoomed out, 7 at most)."""
    if zoom <= 5:
        return 3
    if zoom <= 7:
        return 4
    if zoom <= 9:
        return 5
    if zoom <= 11:
        return 6
    return 7


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """"south,west,north,east" -> floats; west > east crosses the antimeridian."""
    parts = (text or "").split(",")
    if len(parts) != 4:
        raise _bad("bbox", "Give bbox as south,west,north,east.")
    try:
        south, west, north, east = (float(p) for p in parts)
    except ValueError:
        raise _bad("bbox", "Give bbox as four numbers.") from None
    if not all(math.isfinite(v) for v in (south, west, north, east)):
        raise _bad("bbox", "Give bbox as four finite numbers.")
    if not (-90 <= south <= north <= 90):
        raise _bad("bbox", "Latitudes must satisfy -90 <= south <= north <= 90.")
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        raise _bad("bbox", "Longitudes must be between -180 and 180.")
    return south, west, north, east


def _bbox_area_km2(south: float, west: float, north: float, east: float) -> float:
    width = (east - west) if west <= east else (360 - west + east)
    r = geo.EARTH_RADIUS_KM
    return (
        r * r * math.radians(width)
        * abs(math.sin(math.radians(north)) - math.sin(math.radians(south)))
    )


def _hidden_from(viewer: search.Viewer, layer_id: int, level: int) -> Counter[int]:
    """What the stored counts hold at ``level`` that her cell lists never show.

    ``CellCount`` is the same for everyone; her lists leave out herself and
    everyone blocked either way (and, on the safe-place layer of a member who is
    not association staff, associations-only offers, which that layer never
    counts). Their own search rows give exactly what they add to each cell, by
    the same rule as the counts (``services.layers_of`` and ``map_cell_of``).
    One lookup by member id; the set is small (herself and her blocks).
    """
    hidden_ids = sorted(viewer.excluded_ids | {viewer.user_id} - {None})
    if not hidden_ids:
        return Counter()
    kind = (
        OfferIndex.Kind.SUPPORT
        if layer_id == CellCount.Layer.SUPPORT
        else OfferIndex.Kind.SAFE_PLACE
    )
    table = connection.ops.quote_name(OfferIndex._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT assoc_only, cell, res FROM {table} "  # noqa: S608
            f"WHERE member_id IN ({', '.join(['%s'] * len(hidden_ids))}) AND kind = %s",
            [*hidden_ids, kind],
        )
        rows = cursor.fetchall()
    out: Counter[int] = Counter()
    for assoc_only, cell, res in rows:
        if layer_id in layers_of(kind, bool(assoc_only)):
            out[map_cell_of(cell, res, level)] += 1
    return out


def map_cells(
    user: User, *, bbox: tuple[float, float, float, float], zoom: int, layer: str
) -> dict:
    """Counts per cell in a viewport, at a level coarse enough to stay bounded.

    Each count is the number of members her list of that cell shows
    (``cell_members``): the shared roll-up minus what herself and the people
    blocked either way add to it (``_hidden_from``); a cell left empty is not
    drawn. Nothing is ever counted that she could not list (docs/security.md).
    """
    viewer = viewer_for(user)
    layer_id = layer_for(layer, viewer)
    if not 0 <= zoom <= 22:
        raise _bad("zoom", "The zoom must be between 0 and 22.")
    south, west, north, east = bbox
    level = level_for_zoom(zoom)
    area = _bbox_area_km2(south, west, north, east)
    while level > 3 and area / _CELL_AREA_KM2[level] > MAP_MAX_CELLS:
        level -= 1
    pad = search.EDGE_KM[level] / 111.0
    south, north = max(-90.0, south - pad), min(90.0, north + pad)
    if west <= east:
        ranges = [(max(-180.0, west - pad), min(180.0, east + pad))]
    else:
        ranges = [(west - pad, 180.0), (-180.0, east + pad)]
    hidden = _hidden_from(viewer, layer_id, level)
    # The largest counts first: fetching one more row per corrected cell keeps the
    # first MAP_MAX_CELLS + 1 after the correction exact (a correction only lowers).
    limit = MAP_MAX_CELLS + 1 + len(hidden)
    table = connection.ops.quote_name(CellCount._meta.db_table)
    rows: list = []
    with connection.cursor() as cursor:
        for w, e in ranges:
            cursor.execute(
                f"SELECT cell, lat, lng, count FROM {table} "  # noqa: S608
                "WHERE layer = %s AND resolution = %s AND lat BETWEEN %s AND %s "
                "AND lng BETWEEN %s AND %s AND count > 0 "
                "ORDER BY count DESC, cell LIMIT %s",
                [layer_id, level, south, north, w, e, limit],
            )
            rows += cursor.fetchall()
    if hidden:
        rows = [(c, lat, lng, n - hidden.get(c, 0)) for c, lat, lng, n in rows]
        rows = [r for r in rows if r[3] > 0]
    rows.sort(key=lambda r: (-r[3], r[0]))
    truncated = len(rows) > MAP_MAX_CELLS
    return {
        "cells": [
            {"cell": geo.cell_to_str(c), "lat": lat, "lng": lng, "count": n}
            for c, lat, lng, n in rows[:MAP_MAX_CELLS]
        ],
        "resolution": level,
        "truncated": truncated,
    }


def cell_members(
    user: User, *, cell: str, layer: str, level: int | None = None
) -> dict:
    """Cards of the members counted in a map cell (at most 50, by member id)."""
    try:
        target = geo.cell_from_str(cell)
    except ValueError:
        raise _bad("cell", "Not a valid map cell.") from None
    x = geo.cell_resolution(target)
    if x > geo.MAX_RES or x < 0:
        raise _bad("cell", "Not a valid map cell.")
    level = x if level is None else level
    if not x <= level <= geo.MAX_RES:
        raise _bad("level", "The level must be between the cell's resolution and 7.")
    viewer = viewer_for(user)
    layer_for(layer, viewer)  # validates the layer name
    kind = KINDS[layer]
    lat, lng = geo.cell_center(target)
    if level == x:
        # Drawn in its parent at this level: every stored cell at or under it.
        ranges = [geo.descendant_range(target, r) for r in range(x, geo.MAX_RES + 1)]
    else:
        # A member coarser than the map level is drawn in her own cell only.
        ranges = [(target, target)]
    extra_sql, extra_params = search.filter_sql(kind, search.Filters(), viewer)
    qn = connection.ops.quote_name
    from sorority.accounts.models import User as UserModel

    range_sql = " OR ".join(["o.cell BETWEEN %s AND %s"] * len(ranges))
    sql = (
        f"SELECT o.member_id FROM {qn(OfferIndex._meta.db_table)} o "  # noqa: S608
        f"JOIN {qn(UserModel._meta.db_table)} u ON u.id = o.member_id "
        f"WHERE o.kind = %s AND ({range_sql}) AND u.status = %s AND u.is_active = %s"
        f"{extra_sql} ORDER BY o.member_id"
    )
    params = [kind, *[v for pair in ranges for v in pair], "member", True, *extra_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = [row[0] for row in cursor.fetchall()]
    ids = [
        m for m in found if m != viewer.user_id and m not in viewer.excluded_ids
    ]
    ids = sorted(set(ids))
    cards = cards_for(ids[:CELL_MEMBERS_LIMIT], viewer)
    return {
        "cell": geo.cell_to_str(target),
        "lat": lat,
        "lng": lng,
        "count": len(ids),
        "members": [cards[i] for i in ids[:CELL_MEMBERS_LIMIT] if i in cards],
        "truncated": len(ids) > CELL_MEMBERS_LIMIT,
    }


# --------------------------------------------------------------------------- #
# Her own profile
# --------------------------------------------------------------------------- #


def own_profile(user: User) -> dict:
    """Her profile as she edits it (her phone included; no coordinate but her cell's)."""
    from sorority.places.services import profile_for

    p = profile_for(user)
    location = None
    if p.cell is not None:
        location = {
            "cell": geo.cell_to_str(p.cell),
            "resolution": p.res,
            "lat": p.pub_lat,
            "lng": p.pub_lng,
            "area": locate.area_label(locate.area_for_cell(p.cell)),
        }
    safe = _safe_card(p, staff=True) or {}
    s = p.safe_place
    available, immediate = safe_place_availability(s)
    return {
        "member_id": user.pk,
        "display_name": user.display_name,
        "avatar": p.avatar,
        "avatar_url": avatar_url(p.avatar),
        "bio": p.bio,
        "languages": list(p.languages),
        "precision": p.precision,
        "location": location,
        "paused": p.paused,
        "support": {
            "offered": p.support.offered,
            "kinds": list(p.support.kinds),
            "availability": p.support.availability,
        },
        "safe_place": {
            **safe,
            "offered": s.offered,
            "type": s.type,
            "adults": s.adults,
            "children": s.children,
            "animals": list(s.animals),
            "step_free": s.step_free,
            "max_nights": s.max_nights,
            "household": s.household,
            "men_at_night": s.men_at_night,
            "availability": s.availability,
            "date_ranges": list(s.date_ranges),
            "tonight": s.tonight_until is not None and immediate,
            "available": available,
            "available_now": immediate,
            "visibility": s.visibility,
        },
        "contact": {
            "chat": True,
            "phone": p.phone or None,
            "email": user.email if p.show_email else None,
            "show_phone": p.show_phone,
            "show_email": p.show_email,
            "accepts_group_requests": p.accepts_group_requests,
        },
    }


def support_filters(kinds: tuple[str, ...]) -> search.Filters:
    """Validated support filters."""
    from sorority.places.models import SUPPORT_KINDS

    allowed = {k for k, _ in SUPPORT_KINDS}
    unknown = [k for k in kinds if k not in allowed]
    if unknown:
        raise _bad("kinds", f"Unknown kinds: {', '.join(unknown)}.")
    return search.Filters(kinds=kinds)


def safe_place_filters(
    *,
    adults: int = 0,
    children: int = 0,
    animals: tuple[str, ...] = (),
    nights: int = 0,
    step_free: bool = False,
    immediate: bool = False,
    no_men_at_night: bool = False,
    place_type: str = "",
) -> search.Filters:
    """Validated safe-place filters."""
    from sorority.places.models import ANIMALS

    for name, value in (("adults", adults), ("children", children)):
        if not 0 <= value <= 20:
            raise _bad(name, "Between 0 and 20.")
    if not 0 <= nights <= 365:
        raise _bad("nights", "Between 0 and 365.")
    allowed = {a for a, _ in ANIMALS}
    if any(a not in allowed for a in animals):
        raise _bad("animals", "Choose among cat, dog, other.")
    if place_type and place_type not in {"couch", "room", "home"}:
        raise _bad("type", "Choose couch, room or home.")
    return search.Filters(
        adults=adults, children=children, animals=animals, nights=nights,
        step_free=step_free, immediate=immediate, no_men_at_night=no_men_at_night,
        place_type=place_type,
    )


def members_accepting_group_requests(member_ids: list[int]) -> set[int]:
    """Which of these members accept "several hosts at once" requests (for chat)."""
    return set(
        Profile.objects.filter(
            user_id__in=member_ids, accepts_group_requests=True, paused=False
        ).values_list("user_id", flat=True)
    )
