"""The proximity engine equals a brute-force scan (docs/performance.md T1)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sorority.accounts.models import User
from sorority.accounts.tests.factories import UserFactory
from sorority.places import geo, search
from sorority.places.models import ANIMALS, SUPPORT_KINDS, OfferIndex, mask_of

pytestmark = pytest.mark.django_db

POOL = 24
KIND_NAMES = [k for k, _ in SUPPORT_KINDS]
ANIMAL_NAMES = [a for a, _ in ANIMALS]


def _edge_lats():
    # Latitudes right on, just below and just above band boundaries.
    base = st.integers(min_value=1, max_value=3599).map(lambda b: -90 + b * geo.BAND_DEG)
    return st.tuples(base, st.sampled_from([-1e-9, 0.0, 1e-9])).map(
        lambda t: max(-90.0, min(90.0, t[0] + t[1]))
    )


lat_st = st.one_of(
    st.floats(min_value=41.0, max_value=51.5),  # France
    st.floats(min_value=-90, max_value=90),
    st.floats(min_value=88.5, max_value=90),  # near the North Pole
    st.floats(min_value=-90, max_value=-88.5),
    _edge_lats(),
)
lng_st = st.one_of(
    st.floats(min_value=-5.0, max_value=9.5),
    st.floats(min_value=-180, max_value=180),
    st.floats(min_value=179.0, max_value=180),  # antimeridian
    st.floats(min_value=-180, max_value=-179.0),
)
point_st = st.tuples(lat_st, lng_st)

offer_st = st.fixed_dictionaries(
    {
        "point": point_st,
        "res": st.integers(min_value=5, max_value=7),
        "kinds": st.lists(st.sampled_from(KIND_NAMES), max_size=3),
        "adults": st.integers(min_value=1, max_value=4),
        "children": st.integers(min_value=0, max_value=3),
        "animals": st.lists(st.sampled_from(ANIMAL_NAMES), max_size=3),
        "nights": st.integers(min_value=1, max_value=14),
        "step_free": st.booleans(),
        "immediate": st.booleans(),
        "available": st.booleans(),
        "assoc_only": st.booleans(),
        "men": st.booleans(),
        "type": st.integers(min_value=1, max_value=3),
    }
)

filters_st = st.builds(
    search.Filters,
    kinds=st.lists(st.sampled_from(KIND_NAMES), max_size=2).map(tuple),
    adults=st.integers(min_value=0, max_value=4),
    children=st.integers(min_value=0, max_value=3),
    animals=st.lists(st.sampled_from(ANIMAL_NAMES), max_size=2, unique=True).map(tuple),
    nights=st.integers(min_value=0, max_value=14),
    step_free=st.booleans(),
    immediate=st.booleans(),
    no_men_at_night=st.booleans(),
    place_type=st.sampled_from(["", "couch", "room", "home"]),
)


def _store(members, offers, kind, duplicate_from):
    OfferIndex.objects.all().delete()
    rows = []
    for i, (member, offer) in enumerate(zip(members, offers, strict=False)):
        if duplicate_from is not None and i > 0 and i % 3 == 0:
            offer = {**offer, "point": offers[duplicate_from % len(offers)]["point"]}
        cell = geo.snap(*offer["point"], offer["res"])
        lat, lng = geo.cell_center(cell)
        rows.append(
            OfferIndex(
                kind=kind,
                member=member,
                available=offer["available"],
                immediate=offer["immediate"],
                assoc_only=offer["assoc_only"],
                kinds_mask=mask_of(offer["kinds"], SUPPORT_KINDS),
                place_type=offer["type"],
                adults=offer["adults"],
                children=offer["children"],
                animals_mask=mask_of(offer["animals"], ANIMALS),
                step_free=offer["step_free"],
                max_nights=offer["nights"],
                men_at_night=offer["men"],
                cell=cell,
                res=offer["res"],
                pub_lat=lat,
                pub_lng=lng,
                band=geo.band(lat),
            )
        )
    OfferIndex.objects.bulk_create(rows)


def _brute(origin, kind, filters, viewer, avoid, members_ok):
    hits = []
    for row in OfferIndex.objects.all():
        if not row.available or row.member_id not in members_ok:
            continue
        if row.member_id == viewer.user_id or row.member_id in viewer.excluded_ids:
            continue
        if kind == OfferIndex.Kind.SUPPORT:
            if filters.kinds and not row.kinds_mask & mask_of(filters.kinds, SUPPORT_KINDS):
                continue
        else:
            want = mask_of(filters.animals, ANIMALS)
            if row.assoc_only and not viewer.association_staff:
                continue
            if (
                row.adults < filters.adults
                or row.children < filters.children
                or row.animals_mask & want != want
                or row.max_nights < filters.nights
                or (filters.step_free and not row.step_free)
                or (filters.immediate and not row.immediate)
                or (filters.no_men_at_night and row.men_at_night)
                or (
                    filters.place_type
                    and row.place_type
                    != ["couch", "room", "home"].index(filters.place_type) + 1
                )
            ):
                continue
        if avoid and geo.haversine_km(
            avoid.lat, avoid.lng, row.pub_lat, row.pub_lng
        ) <= avoid.radius_km + search.EDGE_KM[row.res]:
            continue
        d = geo.haversine_km(origin[0], origin[1], row.pub_lat, row.pub_lng)
        hits.append((d, row.member_id))
    hits.sort()
    return hits


@pytest.fixture
def pool():
    members = [UserFactory() for _ in range(POOL)]
    outsider = members[-1]
    User.objects.filter(pk=outsider.pk).update(status=User.Status.PENDING)
    return members


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    offers=st.lists(offer_st, min_size=0, max_size=POOL),
    origin=point_st,
    kind=st.sampled_from([OfferIndex.Kind.SUPPORT, OfferIndex.Kind.SAFE_PLACE]),
    filters=filters_st,
    limit=st.integers(min_value=1, max_value=30),
    offset=st.integers(min_value=0, max_value=5),
    seed_radius=st.one_of(st.none(), st.floats(min_value=0.01, max_value=3000)),
    staff=st.booleans(),
    n_excluded=st.integers(min_value=0, max_value=3),
    avoid=st.one_of(
        st.none(),
        st.builds(
            search.Avoid,
            lat=lat_st,
            lng=lng_st,
            radius_km=st.floats(min_value=0, max_value=200),
        ),
    ),
    duplicate_from=st.one_of(st.none(), st.integers(min_value=0, max_value=POOL)),
)
def test_nearest_equals_brute_force(
    pool, offers, origin, kind, filters, limit, offset, seed_radius, staff,
    n_excluded, avoid, duplicate_from,
):
    members = pool
    _store(members, offers, kind, duplicate_from)
    viewer = search.Viewer(
        user_id=members[0].pk,
        excluded_ids=frozenset(m.pk for m in members[1 : 1 + n_excluded]),
        association_staff=staff,
    )
    members_ok = {m.pk for m in members[:-1]}
    page = search.nearest(
        lat=origin[0], lng=origin[1], kind=kind, filters=filters, viewer=viewer,
        avoid=avoid, limit=limit, offset=offset, radius_km=seed_radius,
    )
    expected = _brute(origin, kind, filters, viewer, avoid, members_ok)
    got = [(h.distance_km, h.member_id) for h in page.hits]
    assert got == expected[offset : offset + limit]
    assert page.has_more == (len(expected) > offset + limit)


def test_ties_are_broken_by_member_id(pool):
    offer = {
        "point": (45.0, 5.0), "res": 7, "kinds": [], "adults": 1, "children": 0,
        "animals": [], "nights": 1, "step_free": False, "immediate": True,
        "available": True, "assoc_only": False, "men": False, "type": 1,
    }
    _store(pool[1:6], [offer] * 5, OfferIndex.Kind.SUPPORT, None)
    page = search.nearest(lat=45.0, lng=5.0, kind=OfferIndex.Kind.SUPPORT, limit=3)
    assert [h.member_id for h in page.hits] == sorted(m.pk for m in pool[1:6])[:3]
    assert page.has_more


def test_an_empty_index_returns_nothing_after_searching_the_whole_globe(pool):
    OfferIndex.objects.all().delete()
    page = search.nearest(lat=0.0, lng=0.0, kind=OfferIndex.Kind.SUPPORT)
    assert page.hits == []
    assert page.radius_km == search.MAX_RADIUS_KM
