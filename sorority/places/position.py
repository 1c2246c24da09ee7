"""A searcher's position: snapped to a res-7 cell on arrival, never put in a URL.

A browser position (about 11 m with 4 decimals) must never travel in a URL: URLs end
up in the browser history (which survives the quick exit), in bookmarks, in `next`
parameters and in proxy logs. Pages and API clients send it in a request body; the
server turns it at once into the res-7 cell holding it (``snap_cell``) and only the
cell id (``cell=<h3>``) may appear in a URL afterwards (docs/security.md).

``position_free_query`` / ``position_free_url`` rewrite a query string (or a `next`
value) that still carries coordinates: ``lat``/``lng`` become ``cell=`` and every
other coordinate-looking key is dropped. Error messages never repeat the input.
"""

from __future__ import annotations

import math
from urllib.parse import urlsplit, urlunsplit

from django.http import QueryDict

from sorority.places import geo

#: Resolution of a searcher's cell (about 5 km²), the finest ever used for a home.
SEARCH_RES = geo.MAX_RES
#: Query keys that may carry a coordinate; none of them may stay in a URL.
POSITION_KEYS = frozenset({"lat", "lng", "lon", "long", "latitude", "longitude"})
#: Keys whose value is itself a URL (redirect targets) and is cleaned the same way.
URL_KEYS = frozenset({"next"})

BAD_POSITION = "This position cannot be used: give a latitude and a longitude."


class PositionError(ValueError):
    """The position given is not a usable latitude/longitude (message says no more)."""

    def __init__(self) -> None:
        super().__init__(BAD_POSITION)


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def snap_cell(lat: object, lng: object) -> int:
    """The res-7 cell holding (lat, lng); raises ``PositionError`` (no echo) if unusable."""
    la, ln = _number(lat), _number(lng)
    if la is None or ln is None or not -90 <= la <= 90 or not -180 <= ln <= 180:
        raise PositionError
    return geo.snap(la, ln, SEARCH_RES)


def parse_cell(value: str) -> int:
    """A cell id from a URL; only cells of resolution 7 or coarser are accepted."""
    try:
        cell = geo.cell_from_str(value)
    except ValueError:
        raise ValueError("Not a valid area (cell) id.") from None
    if geo.cell_resolution(cell) > SEARCH_RES:
        raise ValueError("Not a valid area (cell) id.")
    return cell


def carries_position(query: QueryDict) -> bool:
    """True if a query string holds a coordinate, directly or inside a `next` URL."""
    if any(key.lower() in POSITION_KEYS for key in query):
        return True
    return any(
        _url_carries_position(value) for key in URL_KEYS for value in query.getlist(key)
    )


def _url_carries_position(url: str) -> bool:
    query = urlsplit(url).query
    return bool(query) and carries_position(QueryDict(query))


def position_free_query(query: QueryDict) -> QueryDict:
    """A copy of ``query`` with lat/lng replaced by ``cell=`` and coordinates dropped.

    A valid lat+lng pair becomes the res-7 cell (unless a cell is already given);
    anything else coordinate-like is dropped. `next` values are cleaned the same way.
    """
    clean = QueryDict(mutable=True)
    cell = None
    if "cell" not in query and "lat" in query and "lng" in query:
        try:
            cell = geo.cell_to_str(snap_cell(query.get("lat"), query.get("lng")))
        except PositionError:
            cell = None
    for key in query:
        if key.lower() in POSITION_KEYS:
            continue
        values = query.getlist(key)
        if key in URL_KEYS:
            values = [position_free_url(v) for v in values]
        clean.setlist(key, values)
    if cell is not None:
        clean["cell"] = cell
    return clean


def position_free_url(url: str) -> str:
    """``url`` with its query string made position-free (path and fragment kept)."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = QueryDict(parts.query)
    if not carries_position(query):
        return url
    return urlunsplit(parts._replace(query=position_free_query(query).urlencode()))
