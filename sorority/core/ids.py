"""One bound for every id a client sends: API schemas, path parameters, pages.

Primary keys are `BigAutoField`: 1 .. 2**63 - 1 on PostgreSQL, and SQLite's INTEGER is
the same signed 64-bit range. A larger number reaching the database is not "not found"
but an overflow error (a 500) on both, so ids are checked at the edge, here, and an
out-of-range id is refused like any other malformed input (docs/security.md).

- API: `Id` for a field or a path parameter, `id_list(n)` for a list of at most n.
- Pages: `parse_id` / `parse_ids` for raw POST or GET values. (Django's own exact
  lookups already answer an out-of-range `<int:pk>` of a URL with "no match", a 404;
  it is `__in` lookups and inserts that overflow.)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from pydantic import Field

ID_MIN = 1
ID_MAX = 2**63 - 1  # signed 64-bit: BigAutoField on PostgreSQL and SQLite

# The bound of every list of ids an operation takes (the services apply their own,
# smaller limits; this one only keeps a request from carrying thousands of ids).
ID_LIST_MAX = 50

Id = Annotated[int, Field(ge=ID_MIN, le=ID_MAX)]


def id_list(max_items: int = ID_LIST_MAX, *, min_items: int = 0) -> object:
    """A list of at most `max_items` ids, each in the database's range."""
    return Annotated[list[Id], Field(min_length=min_items, max_length=max_items)]


def is_id(value: object) -> bool:
    """Say whether `value` is an int in the range of a primary key."""
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and (ID_MIN <= value <= ID_MAX)
    )


def parse_id(value: object) -> int | None:
    """A client-given id (str or int) as an int, or None when malformed or out of range."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isascii() or not value.isdigit() or len(value) > 19:
            return None
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return None
    return number if is_id(number) else None


def parse_ids(values: Iterable[object], *, limit: int = ID_LIST_MAX) -> list[int]:
    """The valid ids among at most `limit` client-given values, first occurrence kept."""
    ids: list[int] = []
    for index, value in enumerate(values):
        if index >= limit:
            break
        number = parse_id(value)
        if number is not None and number not in ids:
            ids.append(number)
    return ids
