"""Location privacy (docs/architecture.md "Privacy model for location", docs/security.md §39).

- every coordinate in search, map and profile responses is the centre of a stored
  cell, or of one of its parents (never finer than the member's own cell);
- results and distances derive from cells only: two members whose positions
  differ but snap to the same cell are indistinguishable from any origin;
- phone numbers and e-mail addresses appear only when she chose to show them.
"""

import itertools
import json
import re

import pytest

from conftest import sign_in
from sorority.accounts.tests.factories import UserFactory
from sorority.places import gazetteer, geo
from sorority.places.models import Profile
from sorority.places.tests.factories import located_member

pytestmark = pytest.mark.django_db

HOSTS = [
    ("69123", "town"), ("69266", "district"), ("42218", "area"), ("01001", "town"),
    ("75111", "town"), ("13201", "district"), ("38185", "town"), ("71270", "town"),
]
ORIGINS = [
    {"place": "69123"}, {"place": "75056"}, {"place": "29019"}, {"place": "2A004"},
    {"lat": 45.75, "lng": 4.85}, {"lat": 45.7612, "lng": 4.8411},
    {"lat": 44.0, "lng": 5.0}, {"lat": 48.85, "lng": 2.35}, {},
]
SUPPORT_FILTERS = [{}, {"kinds": "listening"}, {"kinds": "police,medical"}]
SAFE_FILTERS = [
    {}, {"adults": 2}, {"children": 1, "animals": "cat"}, {"nights": 3, "step_free": True},
    {"now": True, "no_men_at_night": True}, {"type": "room"},
    {"avoid_place": "69123", "avoid_radius_km": 15},
]
SECRET_PHONE = "0699887766"


@pytest.fixture
def community():
    hosts = []
    for i, (place, precision) in enumerate(HOSTS):
        hosts.append(
            located_member(
                place, precision=precision,
                support={"kinds": ["listening", "police", "medical"][: 1 + i % 3]},
                safe_place={
                    "adults": 1 + i % 3, "children": i % 2, "animals": ["cat"] if i % 2 else [],
                    "max_nights": 1 + i, "step_free": i % 2 == 0, "type": ["couch", "room", "home"][i % 3],
                    "availability": "now" if i % 2 else "on_request",
                },
                contact={"phone": SECRET_PHONE, "show_phone": False, "show_email": False},
            )
        )
    # A member located by a precise position (snapped at once).
    hosts.append(
        located_member(
            "69123", lat=45.7578, lng=4.8320, support={}, safe_place={},
            contact={"phone": SECRET_PHONE},
        )
    )
    return hosts


def _allowed_points() -> set[tuple[float, float]]:
    """Centres of every stored cell and of each of its parents."""
    points = set()
    for cell, res in Profile.objects.exclude(cell=None).values_list("cell", "res"):
        for r in range(res + 1):
            points.add(geo.cell_center(geo.cell_parent(cell, r)))
    return points


def _coordinates(obj, found):
    if isinstance(obj, dict):
        if "lat" in obj and "lng" in obj:
            found.append((obj["lat"], obj["lng"], obj))
        for value in obj.values():
            _coordinates(value, found)
    elif isinstance(obj, list):
        for value in obj:
            _coordinates(value, found)
    return found


def _origin_point(params):
    if "place" in params:
        c = gazetteer.get(params["place"])
        return (c.lat, c.lng)
    return None


def _check_no_contact_leak(content: bytes, hosts):
    assert SECRET_PHONE.encode() not in content
    for host in hosts:
        assert host.email.encode() not in content


def test_every_coordinate_is_a_cell_centre_and_distances_come_from_cells(
    client, member, community
):
    located_member("69123", user=member)
    sign_in(client, member)
    allowed = _allowed_points()
    member_cells = {
        p.user_id: (p.pub_lat, p.pub_lng) for p in Profile.objects.exclude(cell=None)
    }
    checks = itertools.chain(
        (("/api/v1/search/support", o, f) for o in ORIGINS for f in SUPPORT_FILTERS),
        (("/api/v1/search/safe-places", o, f) for o in ORIGINS for f in SAFE_FILTERS),
    )
    for url, origin, filters in checks:
        r = client.get(url, {**origin, **filters, "limit": 50})
        assert r.status_code == 200, (url, origin, filters, r.content)
        _check_no_contact_leak(r.content, community)
        body = r.json()
        o = body["origin"]
        if "place" in origin:
            assert (o["lat"], o["lng"]) == _origin_point(origin)
        elif "lat" in origin:
            assert (o["lat"], o["lng"]) == geo.cell_center(
                geo.snap(origin["lat"], origin["lng"], 7)
            )
        for result in body["results"]:
            assert not _coordinates(result, [])  # cards carry no coordinates
            plat, plng = member_cells[result["member_id"]]
            d = geo.haversine_km(o["lat"], o["lng"], plat, plng)
            assert (result["distance_km"], result["distance_floor"]) == geo.rounded_distance(d)

    for zoom, layer in itertools.product(range(5, 16), ["support", "safe_place"]):
        for bbox in ("41,-5,51.5,9.6", "45.5,4.6,46,5.1", "43,4,47,6"):
            r = client.get("/api/v1/map", {"bbox": bbox, "zoom": zoom, "layer": layer})
            assert r.status_code == 200
            for lat, lng, cell in _coordinates(r.json(), []):
                assert (lat, lng) in allowed, cell
                assert (lat, lng) == geo.cell_center(geo.cell_from_str(cell["cell"]))
                members = client.get(
                    f"/api/v1/map/cells/{cell['cell']}",
                    {"layer": layer, "level": r.json()["resolution"]},
                )
                assert members.status_code == 200
                _check_no_contact_leak(members.content, community)
                for lat2, lng2, _ in _coordinates(members.json(), []):
                    assert (lat2, lng2) in allowed

    r = client.get("/api/v1/me/profile")
    for lat, lng, _ in _coordinates(r.json(), []):
        assert (lat, lng) in allowed


def test_a_member_is_indistinguishable_from_anywhere_in_her_cell(client, member):
    """Two positions in the same cell give byte-identical responses from any origin."""
    sign_in(client, member)
    lat, lng = 45.7578, 4.8320
    cell = geo.snap(lat, lng, 7)
    clat, clng = geo.cell_center(cell)
    other = (clat + (lat - clat) * -0.5, clng + (lng - clng) * -0.5)
    assert geo.snap(*other, 7) == cell
    host = UserFactory(display_name="Host")
    outputs = []
    for position in ((lat, lng), other):
        located_member(lat=position[0], lng=position[1], place="", user=host,
                       support={}, safe_place={})
        responses = []
        origins = ({"lat": 45.70, "lng": 4.80}, {"lat": 45.76, "lng": 4.83},
                   {"place": "69266"}, {"lat": 45.7579, "lng": 4.8321})
        urls = ("/api/v1/search/support", "/api/v1/search/safe-places")
        responses += [client.get(u, o).content for o in origins for u in urls]
        responses += [
            client.get("/api/v1/map", {"bbox": "45,4,46.5,6", "zoom": zoom,
                                       "layer": "safe_place"}).content
            for zoom in (5, 9, 12, 15)
        ]
        outputs.append(responses)
    assert outputs[0] == outputs[1]


def test_no_html_page_shows_a_hidden_phone_or_email(client, member, community):
    located_member("69123", user=member)
    sign_in(client, member)
    pages = [
        "/places/search/support/?place_name=Lyon",
        "/places/search/safe-place/?safety=checked&place_name=Lyon",
        "/places/map/",
    ]
    cells = Profile.objects.exclude(cell=None).values_list("cell", flat=True)
    pages += [f"/places/map/cells/{format(c, 'x')}/?layer=safe_place" for c in cells]
    pages += [f"/places/map/cells/{format(c, 'x')}/?layer=support" for c in cells]
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
        _check_no_contact_leak(r.content, community)
    r = client.get("/places/map/")
    config = json.loads(
        re.search(r'data-config="([^"]+)"', r.content.decode()).group(1).replace("&quot;", '"')
    )
    mine = Profile.objects.get(user=member)
    assert config["center"] == [mine.pub_lat, mine.pub_lng]


def test_shown_phone_and_email_appear_only_for_who_chose_it(client, member):
    sign_in(client, member)
    shows = located_member("69123", support={}, contact={"phone": "0611111111", "show_phone": True})
    hides = located_member("69123", support={}, contact={"phone": "0622222222", "show_email": False})
    r = client.get("/api/v1/search/support", {"place": "69123"})
    assert b"+33611111111" in r.content
    assert b"622222222" not in r.content
    assert hides.email.encode() not in r.content
    assert shows.email.encode() not in r.content
    body = client.get("/places/search/support/", {"place_name": "Lyon"}).content
    assert b"06 11 11 11 11" in body
    assert b"622222222" not in body
    assert b"22 22 22 22" not in body


def test_exact_positions_are_never_stored(member):
    located_member(lat=45.757812, lng=4.832011, place="", user=member, support={})
    row = Profile.objects.filter(user=member).values().get()
    dump = json.dumps(row, default=str)
    assert "45.757812" not in dump
    assert "4.832011" not in dump
    assert (row["pub_lat"], row["pub_lng"]) == geo.cell_center(row["cell"])
