"""Profile, places, search and map through the JSON API."""

import pytest

from conftest import sign_in
from sorority.accounts.models import User
from sorority.accounts.services import block_create
from sorority.places import geo
from sorority.places.models import CellCount, OfferIndex, Profile
from sorority.places.tests.factories import located_member

pytestmark = pytest.mark.django_db

LYON = "69123"
PARIS_11 = "75111"
VILLAGE = "01001"  # L'Abergement-Clémenciat, < 1,000 inhabitants
ANTONY = "92002"


def test_member_sets_her_commune_and_only_the_cell_is_kept(member_client, member):
    r = member_client.patch(
        "/api/v1/me/profile",
        {"place": LYON, "bio": "Hello", "languages": ["fr", "en"]},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    cell = geo.cell_from_str(body["location"]["cell"])
    assert geo.cell_resolution(cell) == 7
    assert (body["location"]["lat"], body["location"]["lng"]) == geo.cell_center(cell)
    profile = Profile.objects.get(user=member)
    assert profile.cell == cell
    assert body["location"]["area"].endswith("(69)")


def test_a_position_is_snapped_and_never_echoed(member_client, member):
    r = member_client.patch(
        "/api/v1/me/profile",
        {"lat": 48.8584, "lng": 2.2945, "precision": "district"},
        content_type="application/json",
    )
    assert r.status_code == 200
    assert b"48.8584" not in r.content
    assert b"2.2945" not in r.content
    cell = geo.cell_from_str(r.json()["location"]["cell"])
    assert geo.cell_resolution(cell) == 6


def test_a_small_village_is_shown_coarser(member_client):
    r = member_client.patch(
        "/api/v1/me/profile", {"place": VILLAGE}, content_type="application/json"
    )
    assert r.json()["location"]["resolution"] <= 6


def test_asking_for_finer_without_a_new_place_is_refused(member_client):
    member_client.patch(
        "/api/v1/me/profile", {"place": LYON, "precision": "area"},
        content_type="application/json",
    )
    r = member_client.patch(
        "/api/v1/me/profile", {"precision": "town"}, content_type="application/json"
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "location_required"


@pytest.mark.parametrize(
    "payload",
    [
        {"lat": 91, "lng": 2},
        {"lat": 48.0},
        {"lat": "nan", "lng": 2},
        {"place": "99999"},
        {"precision": "street"},
        {"avatar": "photo"},
        {"languages": ["xx"]},
        {"support": {"kinds": ["massage"]}},
        {"safe_place": {"adults": 0}},
        {"safe_place": {"animals": ["snake"]}},
        {"safe_place": {"date_ranges": [{"start": "2026-02-10", "end": "2026-02-01"}]}},
        {"lat": 0.0, "lng": -140.0},
    ],
)
def test_bad_profile_input_is_a_400_and_nothing_is_saved(member_client, member, payload):
    r = member_client.patch("/api/v1/me/profile", payload, content_type="application/json")
    assert r.status_code == 400, r.content
    assert "error" in r.json()
    assert not OfferIndex.objects.filter(member=member).exists()


def test_places_search_returns_commune_centres(member_client):
    r = member_client.get("/api/v1/places", {"q": "lyon"})
    assert r.status_code == 200
    first = r.json()[0]
    assert first["code"] == LYON
    assert {"lat", "lng", "postcode"} <= set(first)


def test_support_search_lists_nearest_first_and_pages(member_client, member):
    near = located_member(LYON, support={"kinds": ["listening"]})
    far = located_member(PARIS_11, support={"kinds": ["medical"]})
    mid = located_member("42218", support={"kinds": ["listening"]})  # Saint-Étienne
    r = member_client.get("/api/v1/search/support", {"place": LYON, "limit": 2})
    assert r.status_code == 200, r.content
    body = r.json()
    assert [x["member_id"] for x in body["results"]] == [near.pk, mid.pk]
    assert body["has_more"] is True
    assert body["results"][0]["distance_floor"] is True
    assert body["results"][0]["distance_km"] == 2
    r = member_client.get("/api/v1/search/support", {"place": LYON, "limit": 2, "offset": 2})
    assert [x["member_id"] for x in r.json()["results"]] == [far.pk]
    r = member_client.get("/api/v1/search/support", {"place": LYON, "kinds": "medical"})
    assert [x["member_id"] for x in r.json()["results"]] == [far.pk]


def test_search_from_her_own_cell_needs_a_location(member_client):
    r = member_client.get("/api/v1/search/support")
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "location_required"


def test_herself_blocked_paused_and_non_members_never_appear(member_client, member):
    located_member(LYON, user=member, support={})
    blocked = located_member(LYON, support={})
    blocker = located_member(LYON, support={})
    paused = located_member(LYON, support={}, paused=True)
    gone = located_member(LYON, support={})
    ok = located_member(LYON, support={})
    block_create(blocker=member, blocked=blocked)
    block_create(blocker=blocker, blocked=member)
    User.objects.filter(pk=gone.pk).update(status=User.Status.BANNED)
    r = member_client.get("/api/v1/search/support")
    ids = [x["member_id"] for x in r.json()["results"]]
    assert ids == [ok.pk]
    assert paused.pk not in ids


def test_safe_place_filters_and_area_to_avoid(member_client):
    lyon = located_member(LYON, safe_place={"adults": 2, "children": 2, "animals": ["cat"]})
    located_member("69266", safe_place={"adults": 1})  # Villeurbanne
    st_etienne = located_member("42218", safe_place={"adults": 3, "children": 3, "animals": ["cat", "dog"]})
    r = member_client.get(
        "/api/v1/search/safe-places",
        {"place": LYON, "adults": 2, "children": 1, "animals": "cat"},
    )
    assert [x["member_id"] for x in r.json()["results"]] == [lyon.pk, st_etienne.pk]
    assert r.json()["results"][0]["safe_place"]["animals"] == ["cat"]
    r = member_client.get(
        "/api/v1/search/safe-places",
        {"place": LYON, "adults": 2, "avoid_place": LYON, "avoid_radius_km": 10},
    )
    assert [x["member_id"] for x in r.json()["results"]] == [st_etienne.pk]


def test_associations_only_offers_are_found_by_association_staff_only(
    client, member, staff_member
):
    host = located_member(LYON, safe_place={"visibility": "associations"})
    sign_in(client, member)
    r = client.get("/api/v1/search/safe-places", {"place": LYON})
    assert r.json()["results"] == []
    sign_in(client, staff_member)
    r = client.get("/api/v1/search/safe-places", {"place": LYON})
    assert [x["member_id"] for x in r.json()["results"]] == [host.pk]


def test_phone_and_email_only_when_she_chose_to_show_them(member_client):
    hidden = located_member(LYON, support={}, contact={"phone": "0611223344"})
    shown = located_member(
        "69266", support={},
        contact={"phone": "0655667788", "show_phone": True, "show_email": True},
    )
    r = member_client.get("/api/v1/search/support", {"place": LYON})
    assert b"611223344" not in r.content
    assert hidden.email.encode() not in r.content
    cards = {x["member_id"]: x for x in r.json()["results"]}
    assert cards[shown.pk]["contact"]["phone"] == "+33655667788"  # stored in E.164
    assert cards[shown.pk]["contact"]["email"] == shown.email
    assert cards[hidden.pk]["contact"]["phone"] is None


@pytest.mark.parametrize(
    "params",
    [
        {"lat": "abc", "lng": 2},
        {"lat": 95, "lng": 2},
        {"lat": 45},
        {"place": "nowhere"},
        {"place": LYON, "limit": 0},
        {"place": LYON, "limit": 500},
        {"place": LYON, "offset": -1},
        {"place": LYON, "kinds": "bogus"},
        {"place": LYON, "avoid_place": LYON, "avoid_radius_km": 1000},
        {"lat": "inf", "lng": 2},
    ],
)
def test_bad_search_input_is_a_400(member_client, params):
    r = member_client.get("/api/v1/search/support", params)
    assert r.status_code == 400, r.content
    if "kinds" not in params:
        r = member_client.get("/api/v1/search/safe-places", {**params, "animals": "cat"})
        assert r.status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {"adults": 50},
        {"animals": "snake"},
        {"type": "castle"},
        {"nights": -1},
    ],
)
def test_bad_safe_place_filters_are_a_400(member_client, params):
    r = member_client.get("/api/v1/search/safe-places", {"place": LYON, **params})
    assert r.status_code == 400


def test_map_counts_cells_and_lists_members_of_a_cell(member_client, member):
    host = located_member(LYON, safe_place={})
    located_member(LYON, support={})
    r = member_client.get(
        "/api/v1/map", {"bbox": "45,4,46.5,6", "zoom": 12, "layer": "safe_place"}
    )
    assert r.status_code == 200, r.content
    cells = r.json()["cells"]
    assert len(cells) == 1
    assert cells[0]["count"] == 1
    cell = cells[0]["cell"]
    assert (cells[0]["lat"], cells[0]["lng"]) == geo.cell_center(geo.cell_from_str(cell))
    r = member_client.get(f"/api/v1/map/cells/{cell}", {"layer": "safe_place"})
    assert r.status_code == 200
    assert [m["member_id"] for m in r.json()["members"]] == [host.pk]
    r = member_client.get(
        "/api/v1/map", {"bbox": "41,-5,51,9.5", "zoom": 5, "layer": "support"}
    )
    assert r.json()["resolution"] == 3


def test_the_map_is_kept_up_to_date_by_the_services(member):
    host = located_member(LYON, safe_place={})
    assert CellCount.objects.filter(layer=CellCount.Layer.SAFE_PLACE, count=1).count() == 5
    located_member(PARIS_11, user=host, safe_place={})
    assert CellCount.objects.filter(layer=CellCount.Layer.SAFE_PLACE, count__gt=0).count() == 5
    located_member(PARIS_11, user=host, paused=True)
    assert not CellCount.objects.filter(count__gt=0).exists()


@pytest.mark.parametrize(
    "params",
    [
        {"bbox": "a,b,c,d"},
        {"bbox": "1,2,3"},
        {"bbox": "50,2,40,3"},
        {"bbox": "45,4,46,200"},
        {"bbox": "45,4,46,5", "layer": "people"},
        {"bbox": "45,4,46,5", "zoom": 99},
        {"bbox": "nan,4,46,5"},
    ],
)
def test_bad_map_input_is_a_400(member_client, params):
    r = member_client.get("/api/v1/map", params)
    assert r.status_code == 400, r.content


@pytest.mark.parametrize("cell", ["zzz", "0", "8f1fb46622d8fff", "ffffffffffffffff"])
def test_bad_cell_is_a_400(member_client, cell):
    r = member_client.get(f"/api/v1/map/cells/{cell}")
    assert r.status_code == 400, r.content


ENDPOINTS = [
    ("get", "/api/v1/me/profile"),
    ("patch", "/api/v1/me/profile"),
    ("get", "/api/v1/search/support?place=69123"),
    ("get", "/api/v1/search/safe-places?place=69123"),
    ("get", "/api/v1/map?bbox=45,4,46,5"),
    ("get", "/api/v1/map/cells/85283473fffffff"),
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_applicants_get_verification_required(applicant_client, method, url):
    r = getattr(applicant_client, method)(url, {}, content_type="application/json") if method == "patch" else applicant_client.get(url)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "verification_required"


@pytest.mark.parametrize(("method", "url"), [*ENDPOINTS, ("get", "/api/v1/places?q=lyon")])
def test_visitors_get_401(client, method, url):
    r = getattr(client, method)(url)
    assert r.status_code == 401


def test_places_are_open_to_applicants(applicant_client):
    assert applicant_client.get("/api/v1/places", {"q": "75011"}).status_code == 200


def test_the_map_stays_bounded_whatever_the_viewport(member_client):
    from h3.api import basic_int as h3

    centre = geo.snap(45.75, 4.85, 7)
    rows = []
    for level in (3, 4, 5, 6, 7):
        for cell in h3.grid_disk(geo.cell_parent(centre, level), 20):
            lat, lng = geo.cell_center(cell)
            rows.append(CellCount(layer=1, resolution=level, cell=cell, lat=lat, lng=lng, count=3))
    CellCount.objects.bulk_create(rows)
    for zoom in range(0, 19):
        for bbox in ("-90,-180,90,180", "40,-5,52,10", "45.5,4.5,46,5.2", "10,170,20,-170"):
            r = member_client.get("/api/v1/map", {"bbox": bbox, "zoom": zoom, "layer": "support"})
            assert r.status_code == 200
            assert len(r.json()["cells"]) <= 650
            assert len(r.content) <= 50_000


def test_the_contract_paths_are_in_the_openapi_schema(member_client):
    r = member_client.get("/api/v1/openapi.json")
    paths = r.json()["paths"]
    for path in (
        "/api/v1/me/profile", "/api/v1/places", "/api/v1/search/support",
        "/api/v1/search/safe-places", "/api/v1/map", "/api/v1/map/cells/{cell}",
    ):
        assert path in paths
    distance = r.json()["components"]["schemas"]["ResultOut"]["properties"]["distance_km"]
    assert distance["type"] == "integer"
    assert "distance_floor" in distance["description"]
