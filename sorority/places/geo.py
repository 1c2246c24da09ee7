"""Pure geographic helpers for the location privacy model.

Everything here is pure Python (plus ``h3``): no Django, no I/O.

Privacy model (see docs/architecture.md, "Privacy model for location"): a member's position
is snapped at once to an H3 cell at the precision she chose (town = res 7,
district = res 6, area = res 5), never finer than res 7, and coarser where res 7
would single out a handful of homes. Everything others can see derives from that
cell: its centre (``cell_center``), distances between centres rounded with a
floor (``rounded_distance``), and the proximity search (``cap_bbox``,
``bands_for``, ``haversine_km``) runs on those centres only.

H3 cells are handled as 64-bit integers. A valid H3 index always has its top
bit clear, so it fits a signed 64-bit column (``BigIntegerField``) on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from h3.api import basic_int as _h3

__all__ = [
    "BAND_DEG",
    "DEFAULT_MIN_RESIDENTS",
    "DEFAULT_PRECISION",
    "DISTANCE_FLOOR_KM",
    "EARTH_RADIUS_KM",
    "MAX_RES",
    "MIN_RES",
    "PRECISIONS",
    "RoundedDistance",
    "band",
    "bands_for",
    "cap_bbox",
    "cell_center",
    "cell_from_str",
    "cell_parent",
    "cell_resolution",
    "cell_to_str",
    "coarsen_for_commune",
    "coarsen_for_density",
    "descendant_range",
    "display_distance",
    "display_distance_km",
    "haversine_km",
    "in_boxes",
    "is_valid_cell",
    "precision_to_res",
    "rounded_distance",
    "snap",
]

#: Precision names offered to members, mapped to H3 resolutions.
PRECISIONS: Final[dict[str, int]] = {"town": 7, "district": 6, "area": 5}
DEFAULT_PRECISION: Final = "town"
#: Finest resolution ever stored or shown for a home (res 7 ~ 5.16 km^2).
MAX_RES: Final = 7
#: Coarsest resolution the density rule falls back to (res 5 ~ 253 km^2).
MIN_RES: Final = 5

#: Mean Earth radius (IUGG), km.
EARTH_RADIUS_KM: Final = 6371.0088
#: Height of a latitude band used by the proximity index, degrees.
BAND_DEG: Final = 0.05
#: Distances below this are shown as "< 2 km".
DISTANCE_FLOOR_KM: Final = 2
#: Minimum estimated residents a display cell must hold (see coarsen_for_density).
DEFAULT_MIN_RESIDENTS: Final = 1000

#: Padding (degrees) added to cap bounding boxes to absorb floating-point
#: rounding; ~0.1 mm, so the boxes stay tight but are never too small.
_BBOX_PAD_DEG: Final = 1e-9
_COORD_DECIMALS: Final = 5
#: H3 aperture: each coarser resolution covers ~7 times the area.
_APERTURE: Final = 7

Box = tuple[float, float, float, float]


# --------------------------------------------------------------------------- #
# Validation
# --------------------------------------------------------------------------- #


def _check_latlng(lat: float, lng: float) -> None:
    if isinstance(lat, bool) or not isinstance(lat, int | float):
        raise ValueError(f"Latitude must be a number, got {lat!r}.")
    if isinstance(lng, bool) or not isinstance(lng, int | float):
        raise ValueError(f"Longitude must be a number, got {lng!r}.")
    if not math.isfinite(lat) or not -90.0 <= lat <= 90.0:
        raise ValueError(f"Latitude must be between -90 and 90, got {lat!r}.")
    if not math.isfinite(lng) or not -180.0 <= lng <= 180.0:
        raise ValueError(f"Longitude must be between -180 and 180, got {lng!r}.")


def _check_res(res: int) -> None:
    if isinstance(res, bool) or not isinstance(res, int):
        raise ValueError(f"Resolution must be an integer, got {res!r}.")
    if not 0 <= res <= MAX_RES:
        raise ValueError(
            f"Resolution must be between 0 and {MAX_RES} (never finer than res "
            f"{MAX_RES} for a home), got {res}."
        )


def _check_cell(cell: int) -> None:
    if not is_valid_cell(cell):
        raise ValueError(f"Not a valid H3 cell: {cell!r}.")


# --------------------------------------------------------------------------- #
# H3 cells
# --------------------------------------------------------------------------- #


def precision_to_res(precision: str) -> int:
    """Map a precision name ("town", "district", "area") to an H3 resolution."""
    try:
        return PRECISIONS[precision]
    except KeyError:
        names = ", ".join(sorted(PRECISIONS))
        raise ValueError(
            f"Unknown precision {precision!r}; expected one of {names}."
        ) from None


def snap(lat: float, lng: float, res: int) -> int:
    """Snap a position to the H3 cell containing it, as a 64-bit integer.

    The exact position must be discarded by the caller right after this call.
    Raises ``ValueError`` for out-of-range coordinates or a resolution finer
    than ``MAX_RES`` (7). Deterministic: the same input always gives the same
    cell.
    """
    _check_latlng(lat, lng)
    _check_res(res)
    return int(_h3.latlng_to_cell(float(lat), float(lng), res))


def is_valid_cell(cell: object) -> bool:
    """True if ``cell`` is an integer holding a valid H3 cell index."""
    if isinstance(cell, bool) or not isinstance(cell, int):
        return False
    if not 0 < cell < 2**63:
        return False
    return bool(_h3.is_valid_cell(cell))


def cell_resolution(cell: int) -> int:
    """Resolution (0-15) of an H3 cell."""
    _check_cell(cell)
    return int(_h3.get_resolution(cell))


def cell_parent(cell: int, res: int) -> int:
    """Parent (coarser or equal) cell of ``cell`` at resolution ``res``."""
    _check_cell(cell)
    if isinstance(res, bool) or not isinstance(res, int):
        raise ValueError(f"Resolution must be an integer, got {res!r}.")
    own = cell_resolution(cell)
    if not 0 <= res <= own:
        raise ValueError(
            f"Parent resolution must be between 0 and the cell's own resolution "
            f"({own}), got {res}."
        )
    return int(_h3.cell_to_parent(cell, res))


def descendant_range(cell: int, res: int) -> tuple[int, int]:
    """Integer range holding every descendant of ``cell`` at resolution ``res``.

    H3 indexes keep the parent's digits in the high bits and one 3-bit digit per
    finer resolution below them (unused digits are 7), so the descendants at one
    resolution are the integers between the centre child (new digits 0) and the
    same index with the new digits 6. Lets SQL find them with ``BETWEEN``.
    """
    own = cell_resolution(cell)
    if isinstance(res, bool) or not isinstance(res, int) or not own <= res <= 15:
        raise ValueError(f"Resolution must be between {own} and 15, got {res!r}.")
    low = int(_h3.cell_to_center_child(cell, res))
    high = low
    for digit in range(own + 1, res + 1):
        high |= 6 << ((15 - digit) * 3)
    return low, high


def cell_center(cell: int) -> tuple[float, float]:
    """Centre (lat, lng) of a cell, rounded to 5 decimals (~1 m).

    Longitude is normalised to [-180, 180).
    """
    _check_cell(cell)
    lat, lng = _h3.cell_to_latlng(cell)
    lat = round(lat, _COORD_DECIMALS)
    lng = round(lng, _COORD_DECIMALS)
    if lng >= 180.0:
        lng -= 360.0
    return lat, lng + 0.0  # + 0.0 turns -0.0 into 0.0


def cell_to_str(cell: int) -> str:
    """H3 string form (hexadecimal, e.g. ``"871fb4671ffffff"``) of an int cell."""
    _check_cell(cell)
    return format(cell, "x")


def cell_from_str(value: str) -> int:
    """Int form of an H3 string; raises ``ValueError`` if it is not a valid cell."""
    if not isinstance(value, str):
        raise ValueError(f"H3 string expected, got {value!r}.")
    text = value.strip().lower()
    if not text or len(text) > 16 or any(c not in "0123456789abcdef" for c in text):
        raise ValueError(f"Not a valid H3 cell: {value!r}.")
    cell = int(text, 16)
    _check_cell(cell)
    return cell


# --------------------------------------------------------------------------- #
# Distances and the proximity index
# --------------------------------------------------------------------------- #


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in km on a sphere of radius ``EARTH_RADIUS_KM``."""
    phi1 = math.radians(lat1)
    phi2 = math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    h = (
        math.sin(dphi / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    )
    h = min(1.0, max(0.0, h))
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def band(lat: float) -> int:
    """Latitude band number: ``floor((lat + 90) / BAND_DEG)``, 0..3600.

    Computed in Python on purpose (PostgreSQL's float-to-int cast rounds while
    SQLite's truncates). Monotone in ``lat``, so every latitude between
    ``south`` and ``north`` falls in ``bands_for(south, north)``.
    """
    if isinstance(lat, bool) or not isinstance(lat, int | float):
        raise ValueError(f"Latitude must be a number, got {lat!r}.")
    if not math.isfinite(lat) or not -90.0 <= lat <= 90.0:
        raise ValueError(f"Latitude must be between -90 and 90, got {lat!r}.")
    return math.floor((lat + 90.0) / BAND_DEG)


def bands_for(south: float, north: float) -> range:
    """Band numbers covering latitudes ``south..north`` (clamped to +-90)."""
    if not (math.isfinite(south) and math.isfinite(north)):
        raise ValueError("Latitudes must be finite numbers.")
    if south > north:
        raise ValueError(f"south ({south}) must not exceed north ({north}).")
    return range(band(max(-90.0, south)), band(min(90.0, north)) + 1)


def cap_bbox(lat: float, lng: float, radius_km: float) -> list[Box]:
    """Bounding boxes ``(south, west, north, east)`` of a spherical cap.

    Every point whose great-circle distance to (lat, lng) is at most
    ``radius_km`` lies in at least one returned box (west <= lng <= east).
    The boxes are exact for the sphere (padded by ~0.1 mm against rounding):

    - latitude: ``lat +- r/R``;
    - longitude: ``lng +- asin(sin(r/R) / cos(lat))``;
    - the whole longitude range when the cap reaches a pole;
    - two boxes when the range crosses the antimeridian (+-180).
    """
    _check_latlng(lat, lng)
    if isinstance(radius_km, bool) or not isinstance(radius_km, int | float):
        raise ValueError(f"Radius must be a number, got {radius_km!r}.")
    if not math.isfinite(radius_km) or radius_km < 0:
        raise ValueError(f"Radius must be a finite number >= 0, got {radius_km!r}.")

    ang = radius_km / EARTH_RADIUS_KM  # angular radius, radians
    if ang >= math.pi:
        return [(-90.0, -180.0, 90.0, 180.0)]
    dlat = math.degrees(ang) + _BBOX_PAD_DEG
    south = lat - dlat
    north = lat + dlat
    if south <= -90.0 or north >= 90.0:
        # The cap contains a pole: every longitude is reachable.
        return [(max(south, -90.0), -180.0, min(north, 90.0), 180.0)]

    ratio = math.sin(ang) / math.cos(math.radians(lat))
    if ratio >= 1.0:  # only reachable through rounding right next to a pole
        return [(south, -180.0, north, 180.0)]
    dlng = math.degrees(math.asin(ratio)) + _BBOX_PAD_DEG
    # asin is steep near 1: pad relatively too so rounding cannot shrink the box.
    dlng += dlng * 1e-12 / max(1e-12, 1.0 - ratio)
    if dlng >= 180.0:
        return [(south, -180.0, north, 180.0)]
    west = lng - dlng
    east = lng + dlng
    if west <= -180.0:
        return [(south, west + 360.0, north, 180.0), (south, -180.0, north, east)]
    if east >= 180.0:
        return [(south, west, north, 180.0), (south, -180.0, north, east - 360.0)]
    return [(south, west, north, east)]


def in_boxes(lat: float, lng: float, boxes: list[Box]) -> bool:
    """True if (lat, lng) lies in one of ``boxes`` (bounds inclusive)."""
    return any(s <= lat <= n and w <= lng <= e for s, w, n, e in boxes)


# --------------------------------------------------------------------------- #
# What others may see
# --------------------------------------------------------------------------- #


@dataclass(frozen=True, slots=True)
class RoundedDistance:
    """A distance as shown to others: ``km``, or "< km" when ``is_floor``."""

    km: int
    is_floor: bool

    def __str__(self) -> str:
        return f"< {self.km} km" if self.is_floor else f"{self.km} km"


def _round_half_up(value: float, step: int) -> int:
    return math.floor(value / step + 0.5) * step


def rounded_distance(d: float) -> tuple[int, bool]:
    """Round a distance (km) for display; returns ``(value_km, is_floor)``.

    Rule (half rounds up):

    - ``d < 2``: ``(2, True)``, shown "< 2 km" (the floor);
    - ``2 <= d < 10``: nearest 1 km (9.5 gives 10);
    - ``10 <= d < 50``: nearest 5 km;
    - ``d >= 50``: nearest 10 km.

    The result is never below 2 except as the floor, and is monotone in ``d``.
    """
    if isinstance(d, bool) or not isinstance(d, int | float):
        raise ValueError(f"Distance must be a number, got {d!r}.")
    if not math.isfinite(d) or d < 0:
        raise ValueError(f"Distance must be a finite number >= 0, got {d!r}.")
    if d < DISTANCE_FLOOR_KM:
        return DISTANCE_FLOOR_KM, True
    if d < 10:
        return _round_half_up(d, 1), False
    if d < 50:
        return _round_half_up(d, 5), False
    return _round_half_up(d, 10), False


def display_distance(d: float) -> RoundedDistance:
    """``rounded_distance`` as a small value object (``str()`` gives "< 2 km")."""
    value, is_floor = rounded_distance(d)
    return RoundedDistance(value, is_floor)


def display_distance_km(d: float) -> str:
    """Locale-neutral label: ``"< 2 km"``, ``"7 km"``, ``"15 km"``, ``"120 km"``.

    Templates that need localised numbers should use ``rounded_distance``.
    """
    return str(display_distance(d))


# --------------------------------------------------------------------------- #
# Density rule
# --------------------------------------------------------------------------- #


def coarsen_for_density(
    res: int, residents: int, *, min_residents: int = DEFAULT_MIN_RESIDENTS
) -> int:
    """Resolution to display a home at, given how many people live around it.

    ``residents`` is an estimate of the number of people living in the cell at
    ``res`` (for instance the population of the commune when the commune fits in
    a cell, a population grid, or households x 2.2). It is not a count of
    members: what must not be singled out is a home, whoever uses the site.

    Rule (k-anonymity by population): the cell shown must plausibly hold at
    least ``min_residents`` people (1,000 by default, roughly 450 households).
    While it does not, go one resolution coarser; each step multiplies the area,
    hence the estimate, by the H3 aperture (7). The result never exceeds
    ``MAX_RES`` (7) and never goes below ``MIN_RES`` (5): 1,000 residents keep
    res 7, 300 give res 6 (~2,100), 100 give res 5. A resolution already
    coarser than ``MIN_RES`` is kept.
    """
    _check_res(res)
    if isinstance(residents, bool) or not isinstance(residents, int) or residents < 0:
        raise ValueError(f"Residents must be an integer >= 0, got {residents!r}.")
    if min_residents < 0:
        raise ValueError("min_residents must be >= 0.")
    estimate = residents
    while res > MIN_RES and estimate < min_residents:
        res -= 1
        estimate *= _APERTURE
    return res


def coarsen_for_commune(
    res: int,
    commune_population: int | None,
    *,
    min_residents: int = DEFAULT_MIN_RESIDENTS,
) -> int:
    """``coarsen_for_density`` from a commune's population.

    A res-7 cell (~5 km^2) around a village usually holds the whole village and
    little else, so the commune population is used as the estimate for the
    chosen cell: villages under 1,000 inhabitants are shown at res 6, hamlets
    under ~143 inhabitants at res 5. Large communes have enough people in any
    res-7 cell. Unknown population (``None``) is treated as empty (res 5),
    erring on the side of privacy.
    """
    if commune_population is None:
        commune_population = 0
    return coarsen_for_density(res, commune_population, min_residents=min_residents)
