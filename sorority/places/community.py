"""The public community map: members and hosts counted by département.

Aggregates only: a département appears only when at least ``MIN_COUNT`` members
are counted there, and its number of hosts only when it is at least
``MIN_COUNT`` too ("fewer than 5" otherwise). Positions drawn are the
population-weighted centres of the départements, from the gazetteer.

Who is counted (docs/security.md, "Counts equal lists"): the figures are the same
for everyone, signed in or not, so they must not depend on anyone a member's own
lists leave out. They count only members that every member sees on the map (an
offer of help, or a safe place open to all members: the map's own ``OfferIndex``
rows, so the same status, suspension and pause rules) and who are in no block,
on either side. A member blocked by someone, or who blocked someone, compares
these figures with the sum of her own map: the difference is made of people she
can see, never of the people hidden from her, wherever they live or move. When a
block is made, the figures lose two people who were, at that moment, on every
member's map anyway.
"""

from __future__ import annotations

import math
from functools import cache

from django.core.cache import cache as django_cache
from django.db.models import Count, Q

from sorority.places import gazetteer
from sorority.places.departments import NAMES
from sorority.places.models import OfferIndex, Profile

MIN_COUNT = 5
CACHE_KEY = "places:community:v2"
CACHE_SECONDS = 600
# Projection box of metropolitan France for the small SVG map.
_WEST, _EAST, _SOUTH, _NORTH = -5.3, 9.7, 41.2, 51.2
_WIDTH = 300


@cache
def department_centres() -> dict[str, tuple[float, float]]:
    """Population-weighted centre of each département's communes."""
    sums: dict[str, list[float]] = {}
    for c in gazetteer.all_communes():
        if c.is_arrondissement:
            continue
        w = max(c.population, 1)
        s = sums.setdefault(c.department, [0.0, 0.0, 0.0])
        s[0] += c.lat * w
        s[1] += c.lng * w
        s[2] += w
    return {d: (s[0] / s[2], s[1] / s[2]) for d, s in sums.items()}


def _project(lat: float, lng: float) -> tuple[float, float] | None:
    if not (_WEST <= lng <= _EAST and _SOUTH <= lat <= _NORTH):
        return None
    k = math.cos(math.radians(46.5))
    width_deg = (_EAST - _WEST) * k
    scale = _WIDTH / width_deg
    x = (lng - _WEST) * k * scale
    y = (_NORTH - lat) * scale
    return round(x, 1), round(y, 1)


def counts() -> list[dict]:
    """Départements with at least MIN_COUNT counted members, largest first."""
    from sorority.accounts.models import Block

    on_the_map = OfferIndex.objects.filter(
        Q(kind=OfferIndex.Kind.SUPPORT)
        | Q(kind=OfferIndex.Kind.SAFE_PLACE, assoc_only=False)
    )
    counted = (
        Profile.objects.filter(
            cell__isnull=False,
            paused=False,
            user__status="member",
            user__is_active=True,
        )
        .exclude(user_id__in=Block.objects.values("blocker_id"))
        .exclude(user_id__in=Block.objects.values("blocked_id"))
    )

    def by_department(offers) -> dict[str, int]:
        return dict(
            counted.filter(user_id__in=offers.values("member_id"))
            .values_list("department")
            .annotate(n=Count("id"))
            .values_list("department", "n")
        )

    members = by_department(on_the_map)
    hosts = by_department(on_the_map.filter(kind=OfferIndex.Kind.SAFE_PLACE))
    centres = department_centres()
    rows = []
    for dept, n in members.items():
        if n < MIN_COUNT or not dept:
            continue
        h = hosts.get(dept, 0)
        lat, lng = centres.get(dept, (0.0, 0.0))
        point = _project(lat, lng)
        rows.append(
            {
                "code": dept,
                "name": NAMES.get(dept, dept),
                "members": n,
                "hosts": h if h >= MIN_COUNT else None,
                "x": point[0] if point else None,
                "y": point[1] if point else None,
                "r": round(2 + math.sqrt(n) * 0.8, 1),
            }
        )
    rows.sort(key=lambda r: (-r["members"], r["code"]))
    return rows


def landing_context() -> dict:
    """Context of the landing-page section (cached for 10 minutes)."""
    data = django_cache.get(CACHE_KEY)
    if data is None:
        rows = counts()
        data = {
            "departments": rows,
            "total_members": sum(r["members"] for r in rows),
            "total_hosts": sum(r["hosts"] or 0 for r in rows),
            "min_count": MIN_COUNT,
            "height": round(
                (_NORTH - _SOUTH)
                / ((_EAST - _WEST) * math.cos(math.radians(46.5)))
                * _WIDTH
            ),
            "width": _WIDTH,
        }
        django_cache.set(CACHE_KEY, data, CACHE_SECONDS)
    return data
