"""Outreach through the real host search (places) and conversations (chat)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from sorority.associations import services
from sorority.associations.tests.factories import approved_association_with_staff
from sorority.chat.models import Conversation, Message
from sorority.places.tests.factories import located_member

pytestmark = pytest.mark.django_db

ROOM = {
    "type": "room",
    "adults": 2,
    "children": 2,
    "animals": ["cat"],
    "max_nights": 7,
    "availability": "now",
}


@pytest.fixture
def lyon_case():
    association, rep = approved_association_with_staff()
    case = services.case_open(
        association=association,
        actor=rep,
        label="Rose",
        target_commune="69123",
        adults=1,
        children_ages=[5],
        animals=["cat"],
        nights=3,
        avoid_commune="42218",
        avoid_radius_km=10,  # Saint-Étienne
    )
    services.case_record_safety_check(case=case, actor=rep, threatened=False)
    return case, rep


def test_the_search_uses_the_case_needs_and_area(lyon_case):
    case, rep = lyon_case
    near = located_member("69123", safe_place=ROOM)
    farther = located_member("69266", safe_place=ROOM)  # Villeurbanne
    no_cat = located_member("69123", safe_place={**ROOM, "animals": []})
    too_short = located_member("69123", safe_place={**ROOM, "max_nights": 1})
    avoided = located_member("42218", safe_place=ROOM)
    found = [c.member_id for c in services_candidates(rep, case)]
    assert near.pk in found
    assert farther.pk in found
    for excluded in (no_cat, too_short, avoided):
        assert excluded.pk not in found


def services_candidates(rep, case):
    from sorority.associations.selectors import host_candidates

    return host_candidates(user=rep, case=case)


def test_hosts_already_asked_or_who_hosted_are_left_out(lyon_case):
    case, rep = lyon_case
    first, second = (located_member("69123", safe_place=ROOM) for _ in range(2))
    (request,) = services.outreach_send(case=case, actor=rep, host_ids=[first.pk])
    found = [c.member_id for c in services_candidates(rep, case)]
    assert first.pk not in found
    assert second.pk in found
    services.request_answer(request=request, actor=first, answer="accepted")
    placement = services.placement_record(
        case=case,
        actor=rep,
        request=request,
        starts_on=timezone.localdate(),
        expected_end_on=timezone.localdate() + timedelta(days=2),
    )
    services.placement_end(placement=placement, actor=rep, rehouse=True)
    found = [c.member_id for c in services_candidates(rep, case)]
    assert first.pk not in found


def test_outreach_opens_one_conversation_per_host_and_releases_politely(
    lyon_case, django_capture_on_commit_callbacks
):
    case, rep = lyon_case
    hosts = [located_member("69123", safe_place=ROOM) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.outreach_send(
            case=case, actor=rep, host_ids=[h.pk for h in hosts]
        )
    conversations = Conversation.objects.filter(kind=Conversation.Kind.ASSOCIATION)
    assert conversations.count() == 3
    first = Message.objects.filter(sender=rep).first()
    assert "canapé" in first.text
    assert "Rose" not in first.text
    with django_capture_on_commit_callbacks(execute=True):
        services.request_answer(request=sent[0], actor=hosts[0], answer="accepted")
    released = Message.objects.filter(text__contains="besoin est pourvu")
    assert released.count() == 2


def test_the_outreach_page_lists_hosts_and_sends(client, lyon_case):
    case, rep = lyon_case
    hosts = [located_member("69123", safe_place=ROOM) for _ in range(2)]
    sign_in(client, rep)
    url = reverse("associations:case_outreach", args=[case.pk])
    page = client.get(url)
    assert page.status_code == 200
    for host in hosts:
        assert host.display_name.encode() in page.content
    response = client.post(url, {"host_ids": [hosts[0].pk]})
    assert response.status_code == 302
    assert case.requests.count() == 1
    api = client.get(f"/api/v1/cases/{case.pk}/hosts").json()
    assert [h["member_id"] for h in api] == [hosts[1].pk]
