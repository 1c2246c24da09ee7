"""Browser: "around me" with a fake geolocation never puts her position in a URL.

Both searches and the map: every URL requested or navigated to, every redirect
`Location`, every href/action/data-* of the pages and the history hold the cell
only; the results stay nearest first around the position.
"""

import os
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from playwright.sync_api import expect

from sorority.accounts.tests.factories import PASSWORD, UserFactory
from sorority.places import geo
from sorority.places.tests.factories import located_member
from tests.e2e.conftest import login

LAT, LNG = 45.77234, 4.88917  # Villeurbanne
CELL = geo.cell_to_str(geo.snap(LAT, LNG, 7))
CENTRE = geo.cell_center(geo.snap(LAT, LNG, 7))
TELLS = ("45.772", "4.889", str(LAT), str(LNG))
# Screenshots to look at (390x844 and 1280x800); a fixed, non-secret place.
SHOTS = Path(os.environ.get("POSITION_SHOTS", "/tmp/position-shots"))  # noqa: S108


def _assert_no_position(text: str, where: str) -> None:
    text = unquote(unquote(text or ""))
    for tell in TELLS:
        assert tell not in text, (where, tell, text[:300])


def _page_attributes(page) -> list[str]:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('*')).flatMap(el =>
             Array.from(el.attributes)
               .filter(a => ['href', 'action', 'src', 'value'].includes(a.name)
                            || a.name.startsWith('data-') || a.name.startsWith('hx-'))
               .map(a => a.name + '=' + a.value))"""
    )


class Recorder:
    """Every URL the browser asks for, goes to, or is redirected to."""

    def __init__(self, page) -> None:
        self.requests: list[str] = []
        self.navigations: list[str] = []
        self.locations: list[str] = []
        self.posts: list[str] = []
        page.on("request", self._request)
        page.on("framenavigated", lambda frame: self.navigations.append(frame.url))
        page.on("response", self._response)

    def _request(self, request) -> None:
        self.requests.append(request.url)
        if request.method == "POST":
            self.posts.append(request.post_data or "")

    def _response(self, response) -> None:
        location = response.headers.get("location")
        if location:
            self.locations.append(location)

    def check(self) -> None:
        for kind in ("requests", "navigations", "locations"):
            for url in getattr(self, kind):
                _assert_no_position(url, kind)


def _check_page(page, name: str) -> None:
    _assert_no_position(page.url, "page url")
    _assert_no_position(page.content(), "html")
    for attribute in _page_attributes(page):
        _assert_no_position(attribute, "attribute")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((390, 844), (1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


@pytest.mark.django_db(transaction=True)
def test_around_me_keeps_her_position_out_of_every_url_on_both_searches_and_the_map(
    page, context, live_server
):
    people = []
    for code, name in (("69266", "Proche"), ("69123", "Moyenne"), ("42218", "Loin")):
        user = located_member(code, support={"kinds": ["listening"]}, safe_place={})
        user.display_name = name
        user.save()
        people.append(name)
    member = UserFactory(display_name="Zoé")
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation({"latitude": LAT, "longitude": LNG})
    recorder = Recorder(page)
    login(page, live_server, member.email, PASSWORD)

    # Help/support search.
    page.goto(f"{live_server.url}/places/search/support/")
    page.check("input[name=kinds][value=listening]")
    before = page.evaluate("history.length")
    page.click("button[data-around-me]")
    page.wait_for_url(re.compile(r"cell="))
    assert f"cell={CELL}" in page.url
    assert "kinds=listening" in page.url
    expect(page.locator(".member-card h3")).to_have_text(people)
    expect(page.locator("#results-title ~ p.help").first).to_contain_text(
        "Autour de votre position"
    )
    assert page.evaluate("history.length") == before + 1  # the POST left no entry
    _check_page(page, "support")
    # Back and forward (the 303 made a plain GET entry) still show the search.
    page.go_back()
    page.go_forward()
    expect(page.locator(".member-card h3")).to_have_text(people)

    # Safe-place search (after the danger question).
    page.goto(f"{live_server.url}/places/search/safe-place/")
    page.click("button[name=safety][value=no]")
    page.fill("input[name=adults]", "1")
    page.click("button[data-around-me]")
    page.wait_for_url(re.compile(r"cell="))
    assert "safety=checked" in page.url
    expect(page.locator(".member-card h3")).to_have_text(people)
    _check_page(page, "safe-place")

    # The map: pans to the centre of her cell, not to her position.
    page.goto(f"{live_server.url}/places/map/")
    expect(page.locator("#map")).to_have_attribute("data-cells", re.compile(r"\d"))

    def counts_after_locate(request) -> bool:
        asked = any("/api/v1/map/locate" in url for url in recorder.requests)
        return asked and "/api/v1/map?bbox=" in request.url

    with (
        page.expect_request(counts_after_locate) as counts,
        page.expect_response(re.compile(r"/api/v1/map/locate")) as located,
    ):
        page.click("#map-around-me")
    assert located.value.json()["cell"] == CELL
    expect(page.locator("#map-status")).to_contain_text("Villeurbanne")
    bbox = [
        float(v)
        for v in re.search(r"bbox=([^&]+)", counts.value.url).group(1).split(",")
    ]
    centre = ((bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2)
    assert abs(centre[0] - CENTRE[0]) < 2e-4
    assert abs(centre[1] - CENTRE[1]) < 2e-4
    expect(page.locator(".leaflet-marker-icon.cell-marker").first).to_be_visible()
    _check_page(page, "map")

    recorder.check()
    # The position did travel, in POST bodies only.
    assert any("45.7723" in body for body in recorder.posts)
