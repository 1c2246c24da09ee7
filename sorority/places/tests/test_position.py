"""Her position never lands in a URL, a link, a redirect, a page or a log.

"Around me" sends the position in a POST body; the server snaps it to its res-7
cell and only `cell=` travels in URLs afterwards (pages, `next`, API clients).
"""

import html as htmllib
import logging
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.urls import reverse
from h3.api import basic_int as h3_int

from sorority.places import geo
from sorority.places.tests.factories import located_member

pytestmark = pytest.mark.django_db

# Her position in Villeurbanne (4 decimals as the browser code sends, plus one more).
LAT, LNG = 45.77234, 4.88917
CELL = geo.cell_to_str(geo.snap(LAT, LNG, 7))
CENTRE = geo.cell_center(geo.snap(LAT, LNG, 7))
#: Any of these in a URL, a page or a log gives her away (3 decimals ≈ 110 m).
TELLS = ("45.772", "4.889", "45.7723", "4.8892", str(LAT), str(LNG))
SUPPORT = reverse("places:search_support")
SAFE = reverse("places:search_safe_place")


def _assert_no_position(text: str) -> None:
    text = unquote(unquote(text))
    for tell in TELLS:
        assert tell not in text, tell


def test_the_fake_position_and_its_cell_centre_differ_at_the_third_decimal():
    # Otherwise the checks below could not tell the position from the cell centre.
    assert f"{CENTRE[0]:.3f}" != f"{LAT:.3f}"
    assert f"{CENTRE[1]:.3f}" != f"{LNG:.3f}"


@pytest.fixture
def people(db):
    near = located_member("69266", support={"kinds": ["listening"]}, safe_place={})
    middle = located_member("69123", support={"kinds": ["listening"]}, safe_place={})
    far = located_member("42218", support={"kinds": ["listening"]}, safe_place={})
    return [near, middle, far]


def _card_ids(html: str) -> list[int]:
    return [int(m) for m in re.findall(r'id="card-(\d+)"', html)]


def _urls_in(html: str) -> list[str]:
    return re.findall(r'(?:href|action|hx-get|data-[\w-]+)="([^"]*)"', html)


def test_around_me_on_the_support_search_is_post_redirect_get_with_a_cell(
    member_client, people
):
    r = member_client.post(
        SUPPORT,
        {
            "lat": f"{LAT:.4f}",
            "lng": f"{LNG:.4f}",
            "kinds": ["listening"],
            "place_name": "Paris",
            "place": "75056",
            "avoid_radius_km": "10",
        },
    )
    assert r.status_code == 303
    location = r["Location"]
    _assert_no_position(location)
    query = parse_qs(urlsplit(location).query)
    assert query["cell"] == [CELL]
    assert query["kinds"] == ["listening"]
    assert "place" not in query
    assert "place_name" not in query

    page = member_client.get(location)
    assert page.status_code == 200
    html = page.content.decode()
    _assert_no_position(html)
    assert _card_ids(html) == [p.pk for p in people]  # nearest first around her
    assert (
        f'name="cell" value="{CELL}"' in html
    )  # the form keeps the cell, not the position
    assert "Autour de votre position" in html


def test_show_more_links_carry_the_cell_only(member_client):
    for _ in range(22):
        located_member("69266", support={"kinds": ["listening"]})
    r = member_client.post(SUPPORT, {"lat": LAT, "lng": LNG})
    page = member_client.get(r["Location"])
    html = page.content.decode()
    more = re.search(r'href="\?([^"]*offset=20[^"]*)"', html)
    assert more, "no Show more link"
    _assert_no_position(more.group(1))
    assert parse_qs(more.group(1).replace("&amp;", "&"))["cell"] == [CELL]
    for url in _urls_in(html):
        _assert_no_position(url)
    nxt = member_client.get(
        SUPPORT + "?" + more.group(1).replace("&amp;", "&"),
        headers={"HX-Request": "true"},
    )
    assert nxt.content.decode().count('class="member-card"') == 2


def test_around_me_on_the_safe_place_search_keeps_the_danger_answer_and_the_cell(
    member_client, people
):
    r = member_client.post(
        SAFE,
        {"lat": LAT, "lng": LNG, "adults": "1", "animals": ["cat"], "safety": "no"},
    )
    assert r.status_code == 303
    _assert_no_position(r["Location"])
    query = parse_qs(urlsplit(r["Location"]).query)
    assert query["cell"] == [CELL]
    assert query["safety"] == ["checked"]
    assert query["adults"] == ["1"]
    page = member_client.get(r["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    _assert_no_position(html)
    assert _card_ids(html) == []  # nobody takes a cat
    r = member_client.post(SAFE, {"lat": LAT, "lng": LNG, "adults": "1"})
    html = member_client.get(r["Location"]).content.decode()
    assert _card_ids(html) == [p.pk for p in people]


@pytest.mark.parametrize("url", [SUPPORT, SAFE])
def test_a_page_url_with_a_position_is_replaced_by_its_cell_at_once(member_client, url):
    r = member_client.get(
        url, {"lat": LAT, "lng": LNG, "safety": "checked", "kinds": "x"}
    )
    assert r.status_code == 302
    _assert_no_position(r["Location"])
    query = parse_qs(urlsplit(r["Location"]).query)
    assert query["cell"] == [CELL]
    assert query["safety"] == ["checked"]
    assert query["kinds"] == ["x"]
    assert "no-store" in r["Cache-Control"]
    # Half a position or a junk one is simply dropped.
    r = member_client.get(url, {"lat": LAT, "safety": "checked"})
    assert r.status_code == 302
    assert "cell" not in r["Location"]
    _assert_no_position(r["Location"])
    r = member_client.get(url, {"latitude": LAT, "longitude": LNG})
    assert r.status_code == 302
    _assert_no_position(r["Location"])


def test_a_position_in_the_url_of_a_post_is_refused(member_client):
    r = member_client.post(f"{SUPPORT}?lat={LAT}&lng={LNG}", {})
    assert r.status_code == 400
    _assert_no_position(r.content.decode())


@pytest.mark.parametrize(
    "data",
    [
        {"lat": "abc", "lng": "4.8"},
        {"lat": "95.12345", "lng": "4.8"},
        {"lng": "4.8"},
        {"lat": "nan", "lng": "4.8"},
        {},
    ],
)
def test_an_unusable_position_is_said_in_french_without_repeating_it(
    member_client, data
):
    r = member_client.post(SUPPORT, data, follow=True)
    assert r.redirect_chain[0][1] == 303
    html = htmllib.unescape(r.content.decode())
    assert "Votre position n'a pas pu être utilisée" in html
    assert "95.12345" not in html
    assert "95.123" not in r.redirect_chain[0][0]
    assert "cell=" not in r.redirect_chain[0][0]


@pytest.mark.parametrize(
    "cell",
    [
        format(h3_int.latlng_to_cell(LAT, LNG, 12), "x"),  # a precise point
        "zzz",
        "8",
        "ffffffffffffffff",
    ],
)
def test_a_cell_finer_than_res_7_or_junk_is_refused(member_client, cell):
    r = member_client.get(SUPPORT, {"cell": cell})
    assert r.status_code == 400
    assert "Cette zone n'est pas valide" in htmllib.unescape(r.content.decode())
    r = member_client.get("/api/v1/search/support", {"cell": cell})
    assert r.status_code == 400
    assert r.json()["error"]["fields"]["cell"]


def test_a_town_typed_after_around_me_wins_and_drops_the_cell(member_client, people):
    html = member_client.get(
        SUPPORT, {"cell": CELL, "place_name": "Saint-Étienne"}
    ).content.decode()
    assert _card_ids(html)[0] == people[2].pk
    assert 'name="cell" value=' not in html.replace('name="cell" value=""', "")


def test_an_expired_session_keeps_only_the_cell_in_next(client, member_client):
    member_client.logout()
    for url in (SUPPORT, SAFE):
        r = client.get(url, {"lat": LAT, "lng": LNG, "safety": "checked"}, follow=True)
        assert r.redirect_chain, url
        for hop, _status in r.redirect_chain:
            _assert_no_position(hop)
        final = r.redirect_chain[-1][0]
        nxt = parse_qs(urlsplit(final).query)["next"][0]
        assert parse_qs(urlsplit(nxt).query)["cell"] == [CELL]
        _assert_no_position(r.content.decode())
    # The login redirect itself (a cell URL stays a cell URL; htmx gets HX-Redirect).
    r = client.get(SUPPORT, {"cell": CELL}, headers={"HX-Request": "true"})
    assert r.status_code == 204
    assert CELL in unquote(r["HX-Redirect"])


def test_a_next_value_with_a_position_is_cut_down_to_the_cell(client):
    target = f"{SUPPORT}?kinds=listening&lat={LAT}&lng={LNG}"
    r = client.get(reverse("account_login"), {"next": target})
    assert r.status_code == 302
    _assert_no_position(r["Location"])
    nxt = parse_qs(urlsplit(r["Location"]).query)["next"][0]
    assert parse_qs(urlsplit(nxt).query) == {"kinds": ["listening"], "cell": [CELL]}
    page = client.get(r["Location"])
    assert page.status_code == 200
    _assert_no_position(page.content.decode())


def test_the_profile_form_shown_again_holds_the_cell_centre_not_the_position(
    member_client,
):
    data = {
        "display_name": "",
        "avatar": "rose",
        "place_name": "",
        "place": "",
        "lat": str(LAT),
        "lng": str(LNG),
        "precision": "town",
        "safe_type": "room",
        "safe_adults": 1,
        "safe_children": 0,
        "safe_max_nights": 1,
        "safe_availability": "now",
        "safe_visibility": "members",
    }
    r = member_client.post(reverse("places:profile"), data)
    assert r.status_code == 400  # no display name
    html = r.content.decode()
    _assert_no_position(html)
    assert f'value="{CENTRE[0]}"' in html
    assert f'value="{CENTRE[1]}"' in html


# --------------------------------------------------------------------------- #
# API
# --------------------------------------------------------------------------- #


def test_api_post_search_takes_the_position_in_the_body_and_snaps_it(
    member_client, people
):
    for url, extra in (
        ("/api/v1/search/support", {"kinds": ["listening"]}),
        ("/api/v1/search/safe-places", {"adults": 1, "animals": []}),
    ):
        r = member_client.post(
            url, {"lat": LAT, "lng": LNG, **extra}, content_type="application/json"
        )
        assert r.status_code == 200, r.content
        body = r.json()
        assert body["origin"]["cell"] == CELL
        assert (body["origin"]["lat"], body["origin"]["lng"]) == CENTRE
        assert [x["member_id"] for x in body["results"]] == [p.pk for p in people]
        _assert_no_position(r.content.decode())
        # The GET of the contract still works and answers the same.
        get = member_client.get(url, {"lat": LAT, "lng": LNG})
        assert get.status_code == 200
        assert get.json() == body
        # The next pages go by cell.
        by_cell = member_client.get(url, {"cell": CELL})
        assert by_cell.json() == body
    r = member_client.post(
        "/api/v1/search/support", {"lat": LAT}, content_type="application/json"
    )
    assert r.status_code == 400


def test_api_map_locate_answers_the_cell_centre(member_client):
    r = member_client.post(
        "/api/v1/map/locate", {"lat": LAT, "lng": LNG}, content_type="application/json"
    )
    assert r.status_code == 200
    assert r.json()["cell"] == CELL
    assert (r.json()["lat"], r.json()["lng"]) == CENTRE
    assert r.json()["area"].startswith("Villeurbanne")
    _assert_no_position(r.content.decode())
    r = member_client.post(
        "/api/v1/map/locate",
        {"lat": 95.12345, "lng": LNG},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert "95.12345" not in r.content.decode()


def test_openapi_steers_position_clients_to_the_post(member_client):
    spec = member_client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/search/support", "/api/v1/search/safe-places"):
        params = {p["name"]: p for p in spec["paths"][path]["get"]["parameters"]}
        for name in ("lat", "lng"):
            described = params[name].get("description", "") + str(
                params[name].get("schema")
            )
            assert f"POST {path}" in described
            assert params[name].get("deprecated") is True
        assert "cell" in params
        assert "post" in spec["paths"][path]
        assert "POST" in spec["paths"][path]["get"]["description"]


@pytest.mark.parametrize(
    "url", ["/api/v1/search/support", "/api/v1/search/safe-places"]
)
def test_api_errors_never_repeat_a_position(member_client, url):
    for params in ({"lat": 95.12345, "lng": LNG}, {"lat": LAT}):
        r = member_client.get(url, params)
        assert r.status_code == 400
        _assert_no_position(r.content.decode())
        assert "95.12345" not in r.content.decode()
    r = member_client.patch(
        "/api/v1/me/profile",
        {"lat": 95.12345, "lng": LNG},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert "95.12345" not in r.content.decode()
    _assert_no_position(r.content.decode())


def test_no_coordinate_reaches_the_logs(member_client, client, people, caplog):
    caplog.set_level(logging.DEBUG)
    quiet = [logging.getLogger(n) for n in ("django.request", "django.server")]
    for logger in quiet:  # they do not propagate: listen to them directly
        logger.addHandler(caplog.handler)
    old_levels = [lg.level for lg in quiet]
    for logger in quiet:
        logger.setLevel(logging.DEBUG)
    try:
        member_client.post(SUPPORT, {"lat": LAT, "lng": LNG})
        member_client.post(SUPPORT, {"lat": "95.12345", "lng": LNG})
        member_client.get(SUPPORT, {"lat": LAT, "lng": LNG})
        member_client.get("/api/v1/search/support", {"lat": LAT, "lng": LNG})
        member_client.get("/api/v1/search/support", {"lat": 95.12345, "lng": LNG})
        member_client.post(
            "/api/v1/search/safe-places",
            {"lat": LAT, "lng": "x"},
            content_type="application/json",
        )
        client.logout()
        client.get(SAFE, {"lat": LAT, "lng": LNG}, follow=True)
    finally:
        for logger, level in zip(quiet, old_levels, strict=True):
            logger.removeHandler(caplog.handler)
            logger.setLevel(level)
    assert caplog.records  # the 4xx above were logged, without the position
    _assert_no_position(caplog.text)
    assert "95.12345" not in caplog.text
