"""Export and erasure of what the places app holds; status changes and the read models."""

import pytest

from sorority.accounts.models import User
from sorority.accounts.services import user_set_status
from sorority.core.personal_data import covered_models, registered
from sorority.places import personal_data, selectors
from sorority.places.models import CellCount, OfferIndex, Profile
from sorority.places.tests.factories import located_member

pytestmark = pytest.mark.django_db


def test_places_models_holding_personal_data_are_registered():
    assert {
        "places.Profile", "places.SupportOffer", "places.SafePlaceOffer",
        "places.ProfileEvent", "places.OfferIndex",
    } <= covered_models()
    assert any(e.app_label == "places" for e in registered())


def test_export_has_her_profile_offers_and_history_but_no_position(member):
    located_member(lat=45.757812, lng=4.832011, place="", user=member,
                   support={"kinds": ["listening"]}, contact={"phone": "0600000000"})
    data = personal_data.export_for(member)
    assert data["profile"]["support"]["kinds"] == ["listening"]
    assert data["profile"]["contact"]["phone"] == "+33600000000"
    assert data["events"]
    assert "45.757812" not in str(data)


def test_erasure_removes_everything_and_the_map_counts(member):
    located_member("69123", user=member, support={}, safe_place={})
    personal_data.erase_for(member)
    assert not Profile.objects.filter(user=member).exists()
    assert not OfferIndex.objects.filter(member=member).exists()
    assert not CellCount.objects.filter(count__gt=0).exists()


def test_a_banned_member_leaves_search_and_map_and_comes_back_when_reinstated(member):
    located_member("69123", user=member, support={})
    user_set_status(user=member, status=User.Status.BANNED)
    assert not OfferIndex.objects.filter(member=member).exists()
    assert not CellCount.objects.filter(count__gt=0).exists()
    user_set_status(user=member, status=User.Status.MEMBER)
    assert OfferIndex.objects.filter(member=member).exists()


def test_chat_can_ask_who_accepts_group_requests():
    yes = located_member("69123", safe_place={})
    no = located_member("69123", safe_place={}, contact={"accepts_group_requests": False})
    assert selectors.members_accepting_group_requests([yes.pk, no.pk]) == {yes.pk}
