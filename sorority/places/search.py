"""Proximity engine: exact k-nearest offers by great-circle distance between cell centres.

"Certified expanding cap" on a plain B-tree (docs/performance.md), the same SQL on
SQLite and PostgreSQL:

1. seed a radius ``r`` from the local density (``CellCount`` at res 5);
2. fetch every row in the exact bounding boxes of the spherical cap of radius
   ``r`` (``geo.cap_bbox``; one or two boxes, index ``(kind, available, band,
   pub_lng, pub_lat)``) with every filter applied in the SQL;
3. compute the haversine distance in Python, drop the excluded members (herself,
   blocked either way, the area to avoid) and keep rows with ``d <= r``;
4. if at least ``offset + limit`` rows are within ``r``, their first
   ``offset + limit`` by ``(distance, member id)`` are the true nearest
   (anything not fetched is farther than ``r``); otherwise grow ``r`` (x1.6 when
   nothing was found, else ``1.15 * sqrt(need / found)`` within x1.25..x2, but
   never beyond the ``need``-th distance among rows already fetched in the box
   corners, which is enough to finish) and fetch only the rows outside the
   previous boxes, up to the whole globe.

Ties are broken by member id, so the order is a total, deterministic order.
Distances are between the origin (a cell centre or a commune centre) and the
centre of each member's stored cell: nothing finer is ever used.
"""

from __future__ import annotations

import heapq
import math
import time
from dataclasses import dataclass, field

from django.db import connection
from h3.api import basic_int as _h3

from sorority.places import geo
from sorority.places.models import (
    ANIMALS,
    SUPPORT_KINDS,
    CellCount,
    OfferIndex,
    mask_of,
)

#: Half the circumference of the Earth: a cap of this radius is the whole globe.
MAX_RADIUS_KM = math.pi * geo.EARTH_RADIUS_KM
#: Above this many latitude bands a range is cheaper than an IN list.
_MAX_BAND_LIST = 120
#: Density seed: resolution of the counted cells and their mean area (km²).
_SEED_RES = 5
_SEED_CELL_KM2 = 252.9
#: The seed only decides where to start (never the answer): counts may be a
#: minute old, kept per process to save a query per search.
_SEED_CACHE_SECONDS = 60.0
_SEED_CACHE_SIZE = 50_000
_seed_cache: dict[tuple[int, int], tuple[int, float]] = {}
#: H3 mean edge length (km) per resolution: the farthest a home in a cell can be
#: from the cell centre is about one edge, used to keep the area to avoid safe.
EDGE_KM = {0: 1281.3, 1: 483.1, 2: 182.5, 3: 68.98, 4: 26.07, 5: 9.85, 6: 3.72, 7: 1.41}


@dataclass(frozen=True)
class Filters:
    """What she needs. Empty values mean "any"."""

    kinds: tuple[str, ...] = ()  # support: offers at least one of these kinds
    adults: int = 0  # safe place: room for at least this many adults
    children: int = 0  # safe place: at least this many children accepted
    animals: tuple[str, ...] = ()  # safe place: accepts all of these
    nights: int = 0  # safe place: at least this many nights
    step_free: bool = False
    immediate: bool = False  # available now or tonight
    no_men_at_night: bool = False
    place_type: str = ""  # couch | room | home


@dataclass(frozen=True)
class Avoid:
    """An area to avoid: hosts whose cell may reach into it never appear."""

    lat: float
    lng: float
    radius_km: float


@dataclass(frozen=True)
class Viewer:
    """Who searches: excluded ids (herself, blocks) and her rights."""

    user_id: int | None = None
    excluded_ids: frozenset[int] = field(default_factory=frozenset)
    association_staff: bool = False


@dataclass(frozen=True, order=True)
class Hit:
    distance_km: float
    member_id: int
    cell: int
    res: int
    lat: float
    lng: float


@dataclass(frozen=True)
class Page:
    hits: list[Hit]
    has_more: bool
    radius_km: float  # radius finally searched (certificate)
    rounds: int
    candidates: int  # rows fetched in all rounds


def filter_sql(kind: int, filters: Filters, viewer: Viewer) -> tuple[str, list]:
    sql: list[str] = []
    params: list = []
    if kind == OfferIndex.Kind.SUPPORT:
        if filters.kinds:
            sql.append("(o.kinds_mask & %s) <> 0")
            params.append(mask_of(filters.kinds, SUPPORT_KINDS))
    else:
        if not viewer.association_staff:
            sql.append("o.assoc_only = %s")
            params.append(False)
        if filters.adults > 0:
            sql.append("o.adults >= %s")
            params.append(filters.adults)
        if filters.children > 0:
            sql.append("o.children >= %s")
            params.append(filters.children)
        if filters.animals:
            mask = mask_of(filters.animals, ANIMALS)
            sql.append("(o.animals_mask & %s) = %s")
            params += [mask, mask]
        if filters.nights > 0:
            sql.append("o.max_nights >= %s")
            params.append(filters.nights)
        if filters.step_free:
            sql.append("o.step_free = %s")
            params.append(True)
        if filters.immediate:
            sql.append("o.immediate = %s")
            params.append(True)
        if filters.no_men_at_night:
            sql.append("o.men_at_night = %s")
            params.append(False)
        if filters.place_type:
            sql.append("o.place_type = %s")
            params.append(["couch", "room", "home"].index(filters.place_type) + 1)
    return "".join(f" AND {s}" for s in sql), params


def _tables() -> tuple[str, str]:
    from sorority.accounts.models import User

    qn = connection.ops.quote_name
    return qn(OfferIndex._meta.db_table), qn(User._meta.db_table)


def box_rows(
    cursor,
    kind: int,
    box: geo.Box,
    extra_sql: str,
    extra_params: list,
    *,
    available: bool = True,
) -> list[tuple[int, float, float, int, int]]:
    south, west, north, east = box
    bands = geo.bands_for(max(south, -90.0), min(north, 90.0))
    if len(bands) <= _MAX_BAND_LIST:
        band_sql = f"o.band IN ({', '.join(['%s'] * len(bands))})"
        band_params = list(bands)
    else:
        band_sql = "o.band BETWEEN %s AND %s"
        band_params = [bands.start, bands.stop - 1]
    offers = connection.ops.quote_name(OfferIndex._meta.db_table)
    sql = (
        # Only quoted table names and placeholders are interpolated.
        f"SELECT o.member_id, o.pub_lat, o.pub_lng, o.cell, o.res FROM {offers} o "  # noqa: S608
        f"WHERE o.kind = %s AND o.available = %s AND {band_sql} "
        "AND o.pub_lng BETWEEN %s AND %s AND o.pub_lat BETWEEN %s AND %s"
        f"{extra_sql}"
    )
    params = [kind, available, *band_params, west, east, south, north]
    cursor.execute(sql, params + extra_params)
    return cursor.fetchall()


def _outside(boxes: list[geo.Box]) -> tuple[str, list]:
    """SQL excluding rows inside any of ``boxes`` (fetched by an earlier round)."""
    sql = ""
    params: list = []
    for south, west, north, east in boxes:
        sql += (
            " AND NOT (o.pub_lat BETWEEN %s AND %s AND o.pub_lng BETWEEN %s AND %s)"
        )
        params += [south, north, west, east]
    return sql, params


def seed_radius(lat: float, lng: float, kind: int, need: int) -> float:
    """First radius to try, from the offers counted in the res-5 cells around.

    Density = offers in the origin's res-5 cell and its six neighbours (~1,770
    km²), over their area; r0 = sqrt(1.5 * need / (pi * density)), at least
    0.5 km (docs/performance.md). 20 km when that area is empty.
    """
    layer = CellCount.Layer.SUPPORT if kind == OfferIndex.Kind.SUPPORT else (
        CellCount.Layer.SAFE_PLACE_ALL
    )
    home = geo.snap(lat, lng, _SEED_RES)
    now = time.monotonic()
    cached = _seed_cache.get((layer, home))
    if cached is not None and cached[1] > now:
        count = cached[0]
    else:
        cells = list(_h3.grid_disk(home, 1))
        table = connection.ops.quote_name(CellCount._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT SUM(count) FROM {table} "  # noqa: S608
                "WHERE layer = %s AND resolution = %s "
                f"AND cell IN ({', '.join(['%s'] * len(cells))})",
                [layer, _SEED_RES, *cells],
            )
            row = cursor.fetchone()
        count = (row[0] or 0) if row else 0
        if len(_seed_cache) > _SEED_CACHE_SIZE:
            _seed_cache.clear()
        _seed_cache[(layer, home)] = (count, now + _SEED_CACHE_SECONDS)
    if count <= 0:
        return 20.0  # nobody in the ~25 km around: start just beyond it
    density = count / (_SEED_CELL_KM2 * 7)
    return min(max(math.sqrt(1.5 * need / (math.pi * density)), 0.5), 500.0)


def _valid_members(member_ids: list[int]) -> set[int]:
    """Which of these are active members right now (one primary-key lookup)."""
    if not member_ids:
        return set()
    _, users = _tables()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {users} WHERE id IN ({', '.join(['%s'] * len(member_ids))}) "  # noqa: S608
            "AND status = %s AND is_active = %s",
            [*member_ids, "member", True],
        )
        return {row[0] for row in cursor.fetchall()}


def nearest(
    *,
    lat: float,
    lng: float,
    kind: int,
    filters: Filters | None = None,
    viewer: Viewer | None = None,
    avoid: Avoid | None = None,
    limit: int = 20,
    offset: int = 0,
    radius_km: float | None = None,
) -> Page:
    """Exact nearest offers of ``kind`` from (lat, lng), page ``offset:offset+limit``.

    (lat, lng) must already be public (a cell or commune centre). ``has_more``
    says whether a further page exists.

    The services keep only active members in ``OfferIndex`` (and a signal drops
    a member whose account changes). As a second line of defence the members
    of the answer are checked against the accounts table; anyone who is no
    longer an active member is excluded and the search runs again, so the
    certificate still counts only valid members.
    """
    filters = filters or Filters()
    viewer = viewer or Viewer()
    excluded = set(viewer.excluded_ids)
    if viewer.user_id is not None:
        excluded.add(viewer.user_id)
    need = offset + limit + 1  # one more to know whether to offer "show more"
    extra_sql, extra_params = filter_sql(kind, filters, viewer)
    r0 = radius_km if radius_km is not None else seed_radius(lat, lng, kind, need)
    while True:
        hits, r, rounds, fetched = _certified_cap(
            lat, lng, kind, extra_sql, extra_params, excluded, avoid, need, r0
        )
        hits.sort()
        top = [h[1] for h in hits[:need]]
        stale = set(top) - _valid_members(top)
        if not stale:
            break
        excluded |= stale
    page = [Hit(*h) for h in hits[offset : offset + limit]]
    return Page(
        hits=page,
        has_more=len(hits) > offset + limit,
        radius_km=r,
        rounds=rounds,
        candidates=fetched,
    )


def _certified_cap(
    lat: float,
    lng: float,
    kind: int,
    extra_sql: str,
    extra_params: list,
    excluded: set[int],
    avoid: Avoid | None,
    need: int,
    r: float,
) -> tuple[list[tuple[float, int, int, int, float, float]], float, int, int]:
    """Grow the cap until ``need`` rows are within it (or the globe is covered)."""
    rounds = 0
    fetched = 0
    # Every row already fetched (in the previous boxes), with its distance; a
    # later round only fetches rows outside the previous boxes (the annulus).
    candidates: list[tuple[float, int, int, int, float, float]] = []
    previous: list[geo.Box] = []
    with connection.cursor() as cursor:
        while True:
            rounds += 1
            r = min(r, MAX_RADIUS_KM)
            boxes = geo.cap_bbox(lat, lng, r)
            outside_sql, outside_params = _outside(previous)
            rows: list = []
            for box in boxes:
                rows += box_rows(
                    cursor, kind, box, extra_sql + outside_sql, extra_params + outside_params
                )
            fetched += len(rows)
            for member_id, plat, plng, cell, res in rows:
                if member_id in excluded:
                    continue
                if avoid is not None and geo.haversine_km(
                    avoid.lat, avoid.lng, plat, plng
                ) <= avoid.radius_km + EDGE_KM[res]:
                    continue
                d = geo.haversine_km(lat, lng, plat, plng)
                candidates.append((d, member_id, cell, res, plat, plng))
            hits = [c for c in candidates if c[0] <= r]
            if len(hits) >= need or r >= MAX_RADIUS_KM:
                return hits, r, rounds, fetched
            previous = boxes
            # Later rounds only fetch the annulus, so small steps cost little and
            # avoid overshooting where the density changes (coasts, borders).
            # Nothing found says nothing about the density: grow by x1.6.
            # Otherwise aim at `need` assuming a uniform density, within x1.25..x2.
            found = len(hits)
            grown = r * (
                1.6 if found == 0 else min(2.0, max(1.25, 1.15 * math.sqrt(need / found)))
            )
            # Rows already fetched in the box corners (beyond r) are real: if there
            # are `need` of them, the need-th distance is enough to finish next round.
            if len(candidates) >= need:
                grown = min(grown, heapq.nsmallest(need, (c[0] for c in candidates))[-1])
            r = grown
