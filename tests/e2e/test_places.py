"""Browser journey: a member sets her town, searches nearest first, opens the map."""

import re

import pytest
from playwright.sync_api import expect

from sorority.accounts.tests.factories import PASSWORD, UserFactory
from sorority.places.tests.factories import located_member
from tests.e2e.conftest import login


@pytest.mark.django_db(transaction=True)
def test_member_sets_her_town_searches_and_sees_markers_without_tiles(page, live_server):
    near = located_member("69266", support={"kinds": ["listening"]}, safe_place={})
    far = located_member("42218", support={"kinds": ["medical"]})
    for user in (near, far):
        user.display_name = "Proche" if user == near else "Loin"
        user.save()
    member = UserFactory(display_name="Zoé")
    login(page, live_server, member.email, PASSWORD)

    page.goto(f"{live_server.url}/places/profile/")
    page.fill("input[name=place_name]", "Lyon")
    page.check("input[name=support_offered]")
    page.click("form.profile-form button[type=submit]")
    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator("input[name=place_name]")).to_have_value(re.compile("Lyon"))

    page.goto(f"{live_server.url}/places/search/support/")
    cards = page.locator(".member-card h3")
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_have_text("Proche")
    expect(cards.nth(1)).to_have_text("Loin")
    expect(page.locator(".member-card .distance").first).to_contain_text("km")

    page.goto(f"{live_server.url}/places/map/")
    markers = page.locator(".leaflet-marker-icon.cell-marker")
    expect(markers.first).to_be_visible(timeout=10000)
    page.check("input[name=layer][value=safe_place]")
    safe = page.locator(".leaflet-marker-icon.cell-marker.safe")
    expect(safe.first).to_be_visible(timeout=10000)
    expect(safe.first.locator("img")).to_have_attribute("src", re.compile("pink-hair"))
    safe.first.click()
    expect(page.locator("#cell-panel .member-card h3")).to_have_text("Proche")
    expect(page.locator("#cell-panel")).to_contain_text("Je propose de l'aide/du soutien")


@pytest.mark.django_db(transaction=True)
def test_safe_place_search_asks_about_danger_before_anything(page, live_server):
    member = UserFactory()
    login(page, live_server, member.email, PASSWORD)
    page.goto(f"{live_server.url}/places/search/safe-place/")
    page.click("button[name=safety][value=yes]")
    expect(page.locator("a[href='tel:17']").first).to_be_visible()
    expect(page.locator("a[href='sms:114']")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_a_blocked_member_sees_the_same_number_on_the_marker_and_in_the_panel(
    page, live_server
):
    """Issue 10: the marker of the blocker's home cell must not count her."""
    from sorority.accounts.services import block_create

    member = UserFactory(display_name="Zoé")
    located_member("69123", user=member, support={})
    neighbour = located_member("69123", support={})
    neighbour.display_name = "Voisine"
    neighbour.save()
    blocker = located_member("69123", support={})
    block_create(blocker=blocker, blocked=member)
    login(page, live_server, member.email, PASSWORD)

    page.goto(f"{live_server.url}/places/map/")
    markers = page.locator(".leaflet-marker-icon.cell-marker")
    expect(markers).to_have_count(1, timeout=10000)
    expect(markers.first.locator(".count")).to_have_text("1")
    markers.first.click()
    expect(page.locator("#cell-panel h2")).to_have_text(re.compile(r"^1 membre "))
    expect(page.locator("#cell-panel .member-card h3")).to_have_text("Voisine")
