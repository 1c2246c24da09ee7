"""Pages: profile form, searches, safety question, map, landing section."""

import pytest
from django.urls import reverse

from sorority.places.models import Profile
from sorority.places.tests.factories import located_member

pytestmark = pytest.mark.django_db

LYON = "69123"


def _profile_post(**overrides):
    data = {
        "display_name": "Aya", "avatar": "rose", "bio": "", "place_name": "Lyon",
        "place": "", "precision": "town", "safe_type": "room", "safe_adults": 2,
        "safe_children": 1, "safe_max_nights": 3, "safe_availability": "now",
        "safe_visibility": "members", "support_offered": "on",
        "support_kinds": ["listening", "police"], "safe_offered": "on",
        "safe_animals": ["cat"], "accepts_group_requests": "on",
    }
    data.update(overrides)
    return data


def test_member_fills_her_profile_with_a_typed_town(member_client, member):
    r = member_client.get(reverse("places:profile"))
    assert r.status_code == 200
    r = member_client.post(reverse("places:profile"), _profile_post())
    assert r.status_code == 302, r.content.decode()[:3000]
    profile = Profile.objects.get(user=member)
    assert profile.area_code.startswith("69")
    assert profile.support.kinds == ["listening", "police"]
    assert profile.safe_place.animals == ["cat"]
    member.refresh_from_db()
    assert member.display_name == "Aya"


def test_profile_form_refuses_an_unknown_town(member_client):
    r = member_client.post(reverse("places:profile"), _profile_post(place_name="Xyzzyville"))
    assert r.status_code == 400
    assert not Profile.objects.filter(cell__isnull=False).exists()


def test_profile_form_takes_a_position_and_keeps_only_the_cell(member_client, member):
    r = member_client.post(
        reverse("places:profile"), _profile_post(place_name="", lat="45.7578", lng="4.8320")
    )
    assert r.status_code == 302
    profile = Profile.objects.get(user=member)
    assert profile.pub_lat != 45.7578


def test_support_search_page_lists_cards_and_shows_more_with_htmx(member_client, member):
    people = [located_member(LYON, support={"kinds": ["listening"]}) for _ in range(22)]
    url = reverse("places:search_support")
    r = member_client.get(url, {"place_name": "Lyon"})
    body = r.content.decode()
    assert r.status_code == 200
    assert body.count('class="member-card"') == 20
    assert f"/chat/new/{people[0].pk}/" in body
    assert "offset=20" in body
    r = member_client.get(url, {"place_name": "Lyon", "offset": 20}, headers={"HX-Request": "true"})
    assert r.content.decode().count('class="member-card"') == 2
    assert "<html" not in r.content.decode()


def test_safe_place_search_asks_about_danger_first(member_client):
    url = reverse("places:search_safe_place")
    r = member_client.get(url)
    assert "safety" in r.content.decode()
    assert 'class="member-card"' not in r.content.decode()
    r = member_client.get(url, {"safety": "yes"})
    body = r.content.decode()
    assert "tel:17" in body
    assert "sms:114" in body
    r = member_client.get(url, {"safety": "no"})
    assert r.status_code in (200, 400)


def test_safe_place_search_lets_her_select_hosts_for_one_message(member_client):
    host = located_member(LYON, safe_place={"adults": 2})
    refuses = located_member(LYON, safe_place={}, contact={"accepts_group_requests": False})
    r = member_client.get(
        reverse("places:search_safe_place"),
        {"safety": "checked", "place_name": "Lyon", "adults": 1},
    )
    body = r.content.decode()
    assert 'action="/chat/several/"' in body
    assert f'name="member_ids" value="{host.pk}"' in body
    assert f'name="member_ids" value="{refuses.pk}"' not in body


def test_map_page_and_cell_cards(member_client):
    host = located_member(LYON, safe_place={})
    r = member_client.get(reverse("places:map"))
    assert r.status_code == 200
    assert "leaflet.js" in r.content.decode()
    cell = format(Profile.objects.get(user=host).cell, "x")
    r = member_client.get(reverse("places:map_cell", args=[cell]), {"layer": "safe_place"})
    assert host.display_name in r.content.decode()
    r = member_client.get(reverse("places:map_cell", args=["nope"]))
    assert r.status_code == 400


@pytest.mark.parametrize(
    "name", ["places:profile", "places:search_support", "places:search_safe_place", "places:map"]
)
def test_pages_refuse_applicants_and_visitors(client, applicant_client, name):
    assert applicant_client.get(reverse(name)).status_code in (302, 403)
    client.logout()
    r = client.get(reverse(name))
    assert r.status_code == 302


def test_landing_page_counts_members_by_department_above_a_minimum(client):
    for _ in range(5):
        located_member(LYON, safe_place={})
    located_member("75111", support={})
    from django.core.cache import cache

    cache.clear()
    body = client.get(reverse("core:landing")).content.decode()
    assert "Rhône (69)" in body
    assert "Paris (75)" not in body
