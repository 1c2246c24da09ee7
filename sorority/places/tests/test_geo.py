"""Tests for sorority.places.geo (pure functions, no Django)."""

import math

import h3
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from sorority.places import geo

lats = st.floats(min_value=-90, max_value=90, allow_nan=False)
lngs = st.floats(min_value=-180, max_value=180, allow_nan=False)
res_ok = st.integers(min_value=0, max_value=geo.MAX_RES)
radii = st.floats(min_value=0, max_value=5000, allow_nan=False)

PARIS = (48.8566, 2.3522)
LYON = (45.7640, 4.8357)


def destination(lat: float, lng: float, bearing_deg: float, dist_km: float):
    """Point reached from (lat, lng) along a great circle (test helper)."""
    ang = dist_km / geo.EARTH_RADIUS_KM
    phi1 = math.radians(lat)
    lmb1 = math.radians(lng)
    theta = math.radians(bearing_deg)
    sin_phi2 = math.sin(phi1) * math.cos(ang) + math.cos(phi1) * math.sin(
        ang
    ) * math.cos(theta)
    phi2 = math.asin(max(-1.0, min(1.0, sin_phi2)))
    lmb2 = lmb1 + math.atan2(
        math.sin(theta) * math.sin(ang) * math.cos(phi1),
        math.cos(ang) - math.sin(phi1) * math.sin(phi2),
    )
    lng2 = (math.degrees(lmb2) + 180.0) % 360.0 - 180.0
    return math.degrees(phi2), lng2


# --------------------------------------------------------------------------- #
# Precisions and snapping
# --------------------------------------------------------------------------- #


def test_precisions():
    assert geo.PRECISIONS == {"town": 7, "district": 6, "area": 5}
    assert geo.MAX_RES == 7
    assert geo.precision_to_res("district") == 6
    with pytest.raises(ValueError, match="Unknown precision"):
        geo.precision_to_res("street")


def test_snap_returns_int_cell_at_requested_resolution():
    cell = geo.snap(*PARIS, 7)
    assert isinstance(cell, int)
    assert geo.is_valid_cell(cell)
    assert geo.cell_resolution(cell) == 7
    assert cell == h3.str_to_int(h3.latlng_to_cell(*PARIS, 7))
    assert 0 < cell < 2**63  # fits a signed BIGINT column


@pytest.mark.parametrize("res", [8, 9, 15, -1])
def test_snap_refuses_resolution_out_of_range(res):
    with pytest.raises(ValueError, match="Resolution must be between 0 and 7"):
        geo.snap(*PARIS, res)


@pytest.mark.parametrize(
    ("lat", "lng", "message"),
    [
        (90.0001, 0.0, "Latitude"),
        (-91, 0.0, "Latitude"),
        (math.nan, 0.0, "Latitude"),
        (math.inf, 0.0, "Latitude"),
        (0.0, 180.5, "Longitude"),
        (0.0, -181, "Longitude"),
        (0.0, math.nan, "Longitude"),
        ("48.8", 2.3, "Latitude must be a number"),
        (None, 2.3, "Latitude must be a number"),
    ],
)
def test_snap_refuses_bad_coordinates(lat, lng, message):
    with pytest.raises(ValueError, match=message):
        geo.snap(lat, lng, 7)


@pytest.mark.parametrize("res", [7.0, "7", True, None])
def test_snap_refuses_non_integer_resolution(res):
    with pytest.raises(ValueError, match="Resolution must be an integer"):
        geo.snap(*PARIS, res)


@given(lat=lats, lng=lngs, res=res_ok)
def test_snap_is_deterministic_and_never_finer_than_7(lat, lng, res):
    cell = geo.snap(lat, lng, res)
    assert cell == geo.snap(lat, lng, res)
    assert geo.cell_resolution(cell) == res <= geo.MAX_RES
    # H3 is not exactly hierarchical: the parent of the res-r cell is not always
    # the res-(r-1) cell containing the point, but it is always a neighbour of it.
    if res > 0:
        parent = geo.cell_parent(cell, res - 1)
        coarse = geo.snap(lat, lng, res - 1)
        assert geo.cell_resolution(parent) == res - 1
        assert parent == coarse or h3.are_neighbor_cells(
            h3.int_to_str(parent), h3.int_to_str(coarse)
        )


@given(lat=lats, lng=lngs, res=st.integers(min_value=8, max_value=100))
def test_snap_never_accepts_resolution_above_7(lat, lng, res):
    with pytest.raises(ValueError):
        geo.snap(lat, lng, res)


@given(lat=lats, lng=lngs)
def test_centre_of_cell_is_in_the_cell_and_near_the_point(lat, lng):
    cell = geo.snap(lat, lng, 7)
    clat, clng = geo.cell_center(cell)
    assert -90 <= clat <= 90
    assert -180 <= clng < 180
    assert round(clat, 5) == clat
    assert round(clng, 5) == clng
    # A res-7 cell is ~2.8 km wide: the centre is within a few km of the point.
    assert geo.haversine_km(lat, lng, clat, clng) < 3.0
    # Snapping the (rounded) centre gives back the cell: it stands for the cell.
    assert geo.snap(clat, clng, 7) == cell


def test_cell_center_is_the_h3_centre_rounded():
    cell = geo.snap(*PARIS, 7)
    lat, lng = h3.cell_to_latlng(h3.int_to_str(cell))
    assert geo.cell_center(cell) == (round(lat, 5), round(lng, 5))


def test_cell_parent_and_errors():
    cell = geo.snap(*LYON, 7)
    parent = geo.cell_parent(cell, 5)
    assert geo.cell_resolution(parent) == 5
    assert geo.cell_parent(cell, 7) == cell
    with pytest.raises(ValueError, match="Parent resolution"):
        geo.cell_parent(parent, 7)
    with pytest.raises(ValueError, match="Parent resolution"):
        geo.cell_parent(cell, -1)
    with pytest.raises(ValueError, match="Not a valid H3 cell"):
        geo.cell_parent(12345, 3)


@pytest.mark.parametrize(
    "value", [0, -1, 1, 12345, 2**64, 2**63, True, "871fb4671ffffff", None, 1.5]
)
def test_is_valid_cell_rejects_garbage(value):
    assert geo.is_valid_cell(value) is False


def test_is_valid_cell_accepts_every_resolution():
    for res in range(16):
        assert geo.is_valid_cell(h3.str_to_int(h3.latlng_to_cell(*PARIS, res)))


def test_string_conversions_round_trip():
    cell = geo.snap(*PARIS, 7)
    text = geo.cell_to_str(cell)
    assert text == h3.int_to_str(cell)
    assert geo.cell_from_str(text) == cell
    assert geo.cell_from_str(text.upper()) == cell
    for bad in ["", "zz", "871fb4671fffffg", "0", "-871fb4671ffffff", "1" * 17]:
        with pytest.raises(ValueError, match="Not a valid H3 cell"):
            geo.cell_from_str(bad)
    with pytest.raises(ValueError):
        geo.cell_from_str(cell)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        geo.cell_to_str(-5)
    with pytest.raises(ValueError):
        geo.cell_center(42)
    with pytest.raises(ValueError):
        geo.cell_resolution(42)


# --------------------------------------------------------------------------- #
# Haversine and bands
# --------------------------------------------------------------------------- #


def test_haversine_known_distances():
    assert geo.haversine_km(*PARIS, *PARIS) == 0.0
    assert geo.haversine_km(*PARIS, *LYON) == pytest.approx(391.5, abs=1.0)
    # A quarter of a meridian, and antipodes.
    assert geo.haversine_km(0, 0, 90, 0) == pytest.approx(
        math.pi / 2 * geo.EARTH_RADIUS_KM
    )
    assert geo.haversine_km(0, 0, 0, 180) == pytest.approx(
        math.pi * geo.EARTH_RADIUS_KM
    )
    # Across the antimeridian: 0.2 degrees of longitude at the equator.
    assert geo.haversine_km(0, 179.9, 0, -179.9) == pytest.approx(
        math.radians(0.2) * geo.EARTH_RADIUS_KM
    )


@given(a=lats, b=lngs, c=lats, d=lngs)
def test_haversine_symmetric_and_bounded(a, b, c, d):
    dist = geo.haversine_km(a, b, c, d)
    assert dist == pytest.approx(geo.haversine_km(c, d, a, b), abs=1e-9)
    assert 0 <= dist <= math.pi * geo.EARTH_RADIUS_KM + 1e-6


def test_band_values():
    assert geo.BAND_DEG == 0.05
    assert geo.band(-90) == 0
    assert geo.band(90) == 3600
    assert geo.band(0) == 1800
    assert geo.band(48.8566) == math.floor((48.8566 + 90) / 0.05)
    assert geo.band(-0.01) == 1799
    with pytest.raises(ValueError):
        geo.band(91)
    with pytest.raises(ValueError):
        geo.band(math.nan)


@given(a=lats, b=lats)
def test_band_is_monotone_and_bands_for_covers(a, b):
    south, north = min(a, b), max(a, b)
    assert geo.band(south) <= geo.band(north)
    bands = geo.bands_for(south, north)
    assert geo.band(south) in bands
    assert geo.band(north) in bands
    assert geo.band((south + north) / 2) in bands


def test_bands_for_clamps_and_validates():
    assert geo.bands_for(-95, -89.9) == range(0, geo.band(-89.9) + 1)
    assert geo.bands_for(-95, -89.8)[0] == 0
    assert geo.bands_for(89.99, 95) == range(3599, 3601)
    with pytest.raises(ValueError):
        geo.bands_for(10, 5)
    with pytest.raises(ValueError):
        geo.bands_for(math.nan, 5)


# --------------------------------------------------------------------------- #
# Spherical cap bounding boxes
# --------------------------------------------------------------------------- #


def test_cap_bbox_simple_case_matches_formula():
    boxes = geo.cap_bbox(*PARIS, 10)
    assert len(boxes) == 1
    south, west, north, east = boxes[0]
    dlat = math.degrees(10 / geo.EARTH_RADIUS_KM)
    dlng = math.degrees(
        math.asin(math.sin(10 / geo.EARTH_RADIUS_KM) / math.cos(math.radians(PARIS[0])))
    )
    assert south == pytest.approx(PARIS[0] - dlat, abs=1e-8)
    assert north == pytest.approx(PARIS[0] + dlat, abs=1e-8)
    assert west == pytest.approx(PARIS[1] - dlng, abs=1e-8)
    assert east == pytest.approx(PARIS[1] + dlng, abs=1e-8)


def test_cap_bbox_zero_radius_contains_centre():
    boxes = geo.cap_bbox(*LYON, 0)
    assert geo.in_boxes(*LYON, boxes)


def test_cap_bbox_splits_across_antimeridian():
    boxes = geo.cap_bbox(-17.7, 179.9, 50)  # Fiji
    assert len(boxes) == 2
    (_, w1, _, e1), (_, w2, _, e2) = boxes
    assert e1 == 180.0
    assert w2 == -180.0
    assert w1 > 179
    assert e2 < -179
    assert geo.in_boxes(-17.7, -179.9, boxes)
    assert geo.in_boxes(-17.7, 179.8, boxes)
    assert not geo.in_boxes(-17.7, 0, boxes)

    boxes = geo.cap_bbox(65, -179.95, 30)  # Bering strait, the other way
    assert len(boxes) == 2
    assert geo.in_boxes(65, 179.9, boxes)


def test_cap_bbox_covers_pole():
    boxes = geo.cap_bbox(89.9, 10, 50)
    assert boxes == [(boxes[0][0], -180.0, 90.0, 180.0)]
    assert geo.in_boxes(89.95, -170, boxes)
    boxes = geo.cap_bbox(-89.5, 0, 100)
    assert boxes[0][0] == -90.0
    assert boxes[0][1:] == (-180.0, boxes[0][2], 180.0)


def test_cap_bbox_whole_world_and_errors():
    assert geo.cap_bbox(0, 0, 30000) == [(-90.0, -180.0, 90.0, 180.0)]
    with pytest.raises(ValueError, match="Radius"):
        geo.cap_bbox(0, 0, -1)
    with pytest.raises(ValueError, match="Radius"):
        geo.cap_bbox(0, 0, math.nan)
    with pytest.raises(ValueError, match="Latitude"):
        geo.cap_bbox(100, 0, 1)


def _check_boxes_wellformed(boxes):
    assert 1 <= len(boxes) <= 2
    for s, w, n, e in boxes:
        assert -90 <= s <= n <= 90
        assert -180 <= w <= e <= 180


@settings(max_examples=500)
@given(
    lat=lats,
    lng=lngs,
    radius=radii,
    bearing=st.floats(min_value=0, max_value=360),
    frac=st.floats(min_value=0, max_value=1),
)
@example(lat=0.0, lng=179.99, radius=10.0, bearing=90.0, frac=1.0)
@example(lat=0.0, lng=-179.99, radius=10.0, bearing=270.0, frac=1.0)
@example(lat=60.0, lng=-180.0, radius=100.0, bearing=270.0, frac=1.0)
@example(lat=60.0, lng=180.0, radius=100.0, bearing=90.0, frac=1.0)
@example(lat=89.0, lng=0.0, radius=111.0, bearing=0.0, frac=1.0)
@example(lat=-89.0, lng=0.0, radius=111.3, bearing=180.0, frac=1.0)
@example(lat=45.0, lng=5.0, radius=100.0, bearing=90.0, frac=1.0)
@example(lat=80.0, lng=5.0, radius=1000.0, bearing=90.0, frac=1.0)
@example(lat=90.0, lng=0.0, radius=0.0, bearing=0.0, frac=0.0)
def test_every_point_within_radius_is_in_a_box(lat, lng, radius, bearing, frac):
    boxes = geo.cap_bbox(lat, lng, radius)
    _check_boxes_wellformed(boxes)
    plat, plng = destination(lat, lng, bearing, radius * frac)
    assume(geo.haversine_km(lat, lng, plat, plng) <= radius)
    assert geo.in_boxes(plat, plng, boxes)
    # The same meridian written as -180 or 180 is found either way.
    if abs(plng) == 180.0:
        assert geo.in_boxes(plat, -plng, boxes)
    # and the bands of the boxes contain the point's band.
    assert any(geo.band(plat) in geo.bands_for(s, n) for s, _, n, _ in boxes)


@settings(max_examples=300)
@given(lat=lats, lng=lngs, plat=lats, plng=lngs, radius=radii)
def test_cap_bbox_against_random_points(lat, lng, plat, plng, radius):
    boxes = geo.cap_bbox(lat, lng, radius)
    if geo.haversine_km(lat, lng, plat, plng) <= radius:
        assert geo.in_boxes(plat, plng, boxes)


@given(lat=st.floats(min_value=-80, max_value=80), lng=lngs, radius=st.floats(1, 500))
def test_cap_bbox_is_tight(lat, lng, radius):
    """The box edges are reached by the cap (no needless candidates)."""
    boxes = geo.cap_bbox(lat, lng, radius)
    north = max(n for _, _, n, _ in boxes)
    south = min(s for s, _, _, _ in boxes)
    assert north == pytest.approx(
        lat + math.degrees(radius / geo.EARTH_RADIUS_KM), abs=1e-6
    )
    assert south == pytest.approx(
        lat - math.degrees(radius / geo.EARTH_RADIUS_KM), abs=1e-6
    )


# --------------------------------------------------------------------------- #
# Displayed distances
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (0, (2, True)),
        (1.99, (2, True)),
        (2.0, (2, False)),
        (2.49, (2, False)),
        (2.5, (3, False)),
        (9.49, (9, False)),
        (9.5, (10, False)),
        (10, (10, False)),
        (12.49, (10, False)),
        (12.5, (15, False)),
        (47.4, (45, False)),
        (49.99, (50, False)),
        (50, (50, False)),
        (54.9, (50, False)),
        (55, (60, False)),
        (391.5, (390, False)),
    ],
)
def test_rounded_distance(d, expected):
    assert geo.rounded_distance(d) == expected


def test_display_distance_labels():
    assert geo.display_distance_km(0.3) == "< 2 km"
    assert geo.display_distance_km(7.2) == "7 km"
    assert geo.display_distance_km(23) == "25 km"
    assert geo.display_distance_km(123) == "120 km"
    assert geo.display_distance(0.1) == geo.RoundedDistance(2, True)


@pytest.mark.parametrize("bad", [-0.1, math.nan, math.inf, "3", None, True])
def test_rounded_distance_refuses_garbage(bad):
    with pytest.raises(ValueError):
        geo.rounded_distance(bad)


@given(a=st.floats(0, 20000), b=st.floats(0, 20000))
def test_rounded_distance_is_monotone_and_close(a, b):
    lo, hi = min(a, b), max(a, b)
    (vlo, flo), (vhi, _) = geo.rounded_distance(lo), geo.rounded_distance(hi)
    assert vlo <= vhi
    if not flo:
        assert vlo >= 2
        assert abs(vlo - lo) <= 5.0 + 1e-9
    else:
        assert lo < 2


# --------------------------------------------------------------------------- #
# Density rule
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("res", "residents", "expected"),
    [
        (7, 50_000, 7),
        (7, 1000, 7),
        (7, 999, 6),
        (7, 300, 6),
        (7, 143, 6),
        (7, 142, 5),
        (7, 0, 5),
        (6, 5000, 6),
        (6, 100, 5),
        (5, 0, 5),
        (4, 0, 4),
        (0, 0, 0),
    ],
)
def test_coarsen_for_density(res, residents, expected):
    assert geo.coarsen_for_density(res, residents) == expected


def test_coarsen_for_density_validates_and_takes_threshold():
    assert geo.coarsen_for_density(7, 400, min_residents=300) == 7
    assert geo.coarsen_for_density(7, 0, min_residents=0) == 7
    with pytest.raises(ValueError):
        geo.coarsen_for_density(8, 10_000)
    with pytest.raises(ValueError):
        geo.coarsen_for_density(7, -1)
    with pytest.raises(ValueError):
        geo.coarsen_for_density(7, 10, min_residents=-1)


def test_coarsen_for_commune():
    assert geo.coarsen_for_commune(7, 2_100_000) == 7
    assert geo.coarsen_for_commune(7, 450) == 6
    assert geo.coarsen_for_commune(7, 60) == 5
    assert geo.coarsen_for_commune(7, None) == 5
    assert geo.coarsen_for_commune(5, 2_100_000) == 5


@given(res=res_ok, residents=st.integers(0, 10**7))
def test_coarsen_never_finer_than_asked_nor_than_7(res, residents):
    out = geo.coarsen_for_density(res, residents)
    assert out <= res <= geo.MAX_RES
    assert out >= min(res, geo.MIN_RES)



@given(lats, lngs, st.integers(min_value=0, max_value=6), st.integers(min_value=0, max_value=2))
def test_descendants_lie_in_their_integer_range_and_others_do_not(lat, lng, res, extra):
    from h3.api import basic_int as h3i

    cell = geo.snap(lat, lng, res)
    child_res = min(7, res + extra)
    low, high = geo.descendant_range(cell, child_res)
    for other in h3i.grid_disk(geo.snap(lat, lng, child_res), 3):
        inside = h3i.cell_to_parent(other, res) == cell
        assert (low <= other <= high) == inside
