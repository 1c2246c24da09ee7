"""From a commune or a position to the display cell: snapping, density rule, area name.

Pure functions over the offline gazetteer (no database). The exact position a
member gives is used here once and never returned or stored: callers keep only
the ``Located`` value, made of the cell and what derives from it.

Density rule (docs/architecture.md, "coarser automatically where res 7 would single out a
few homes"): the number of people living around her is estimated from the
gazetteer as the larger of

- the population of the commune whose centre is nearest to the point (her
  commune, for a commune chosen by name this is the commune itself), and
- the total population of the communes whose centre lies in the same res-7
  cell as the point (several small communes can share one cell);

then ``geo.coarsen_for_density(7, estimate)`` gives the finest resolution she
may be shown at (1,000 residents keep res 7, fewer than 1,000 give res 6, fewer
than ~143 give res 5). The stored cell is the point snapped ONCE at
``min(chosen resolution, that resolution)``; every coarser view (map levels,
département counts) is derived from that stored cell with ``cell_to_parent``.

Area name: the most populous commune whose centre snaps into the display cell,
else the commune nearest to the cell centre. It depends on the cell only, so it
never says more than the cell (a hamlet inside a res-5 cell is named after the
main town of that cell).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from h3.api import basic_int as _h3

from sorority.places import gazetteer, geo
from sorority.places.gazetteer import Commune

_CITIES_WITH_ARRONDISSEMENTS = frozenset({"75056", "69123", "13055"})
#: Resolution of the coarse grid used to find nearby communes (~26 km edges).
_GRID_RES = 4


class OutsideCoverageError(ValueError):
    """The point is too far from any commune of the gazetteer."""


@dataclass(frozen=True, slots=True)
class Located:
    cell: int
    res: int
    lat: float
    lng: float
    band: int
    area_code: str
    area_name: str
    department: str


@cache
def _grid() -> dict[int, tuple[Commune, ...]]:
    grid: dict[int, list[Commune]] = {}
    for commune in gazetteer.all_communes():
        if commune.is_arrondissement:
            continue
        key = geo.snap(commune.lat, commune.lng, _GRID_RES)
        grid.setdefault(key, []).append(commune)
    return {k: tuple(v) for k, v in grid.items()}


@cache
def _arrondissement_grid() -> dict[int, tuple[Commune, ...]]:
    grid: dict[int, list[Commune]] = {}
    for commune in gazetteer.all_communes():
        if commune.is_arrondissement:
            key = geo.snap(commune.lat, commune.lng, _GRID_RES)
            grid.setdefault(key, []).append(commune)
    return {k: tuple(v) for k, v in grid.items()}


@cache
def _by_cell(res: int) -> dict[int, tuple[Commune, int]]:
    """Display cell at ``res`` -> (most populous commune centred in it, total pop).

    Municipal arrondissements replace their city (Paris, Lyon, Marseille) so a
    cell in Paris is named after its arrondissement and counts its residents.
    """
    table: dict[int, tuple[Commune, int]] = {}
    for commune in gazetteer.all_communes():  # most populous first
        if commune.code in _CITIES_WITH_ARRONDISSEMENTS:
            continue
        cell = geo.snap(commune.lat, commune.lng, res)
        best = table.get(cell)
        if best is None:
            table[cell] = (commune, commune.population)
        else:
            table[cell] = (best[0], best[1] + commune.population)
    return table


def _closest(
    lat: float, lng: float, grids: tuple[dict, ...], rings: int
) -> tuple[float, Commune] | None:
    home = geo.snap(lat, lng, _GRID_RES)
    k = math.cos(math.radians(lat))
    best: tuple[float, str, Commune] | None = None
    for grid in grids:
        for key in _h3.grid_disk(home, rings):
            for commune in grid.get(key, ()):
                if commune.code in _CITIES_WITH_ARRONDISSEMENTS and len(grids) > 1:
                    continue
                # Equirectangular distance: exact enough to rank within ~50 km.
                dx = (commune.lng - lng) * k
                dy = commune.lat - lat
                d2 = dx * dx + dy * dy
                if best is None or (d2, commune.code) < best[:2]:
                    best = (d2, commune.code, commune)
    if best is None:
        return None
    return geo.haversine_km(lat, lng, best[2].lat, best[2].lng), best[2]


def _nearest(lat: float, lng: float, grids: tuple[dict, ...]) -> Commune:
    # Ring 1 of res-4 cells reaches at least ~22 km in every direction: a commune
    # found within 20 km there is the nearest; otherwise look one ring further.
    found = _closest(lat, lng, grids, 1)
    if found is None or found[0] > 20:
        found = _closest(lat, lng, grids, 2)
    if found is None or found[0] > 60:
        raise OutsideCoverageError("No French commune near this position.")
    return found[1]


def nearest_commune(lat: float, lng: float) -> Commune:
    """Commune whose centre is nearest to the point (within ~60 km), else raise."""
    return _nearest(lat, lng, (_grid(),))


def resident_estimate(lat: float, lng: float) -> int:
    """People living around a point, estimated from the gazetteer (see module doc)."""
    own = nearest_commune(lat, lng).population
    same_cell = _by_cell(geo.MAX_RES).get(geo.snap(lat, lng, geo.MAX_RES))
    return max(own, same_cell[1] if same_cell else 0)


def display_res(lat: float, lng: float, precision: str) -> int:
    """Resolution she is shown at: her choice, coarsened by the density rule."""
    chosen = geo.precision_to_res(precision)
    dense = geo.coarsen_for_density(geo.MAX_RES, resident_estimate(lat, lng))
    return min(chosen, dense)


def area_for_cell(cell: int) -> Commune:
    """The commune that names a display cell (depends on the cell only)."""
    res = geo.cell_resolution(cell)
    entry = _by_cell(res).get(cell)
    if entry is not None:
        return entry[0]
    lat, lng = geo.cell_center(cell)
    return _nearest(lat, lng, (_grid(), _arrondissement_grid()))


def area_label(commune: Commune) -> str:
    """Shown area name: "Commune (department)"."""
    return f"{commune.name} ({commune.department})"


def located_cell(cell: int) -> Located:
    """Everything derived from a stored display cell."""
    lat, lng = geo.cell_center(cell)
    area = area_for_cell(cell)
    return Located(
        cell=cell,
        res=geo.cell_resolution(cell),
        lat=lat,
        lng=lng,
        band=geo.band(lat),
        area_code=area.code,
        area_name=area_label(area),
        department=area.department,
    )


def locate_point(lat: float, lng: float, precision: str) -> Located:
    """Snap a position once to her display cell. The position is not kept."""
    res = display_res(lat, lng, precision)
    return located_cell(geo.snap(lat, lng, res))


def locate_commune(code: str, precision: str) -> Located:
    """Snap a commune's public centre to her display cell; KeyError if unknown."""
    commune = gazetteer.get(code)
    if commune is None:
        raise KeyError(code)
    return locate_point(commune.lat, commune.lng, precision)


def coarsen_located(cell: int, res: int) -> Located:
    """The same location shown coarser (parent cell); never finer."""
    own = geo.cell_resolution(cell)
    return located_cell(geo.cell_parent(cell, min(res, own)))
