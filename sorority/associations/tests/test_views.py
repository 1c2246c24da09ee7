import json

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from sorority.accounts.models import User
from sorority.accounts.policies import is_association_staff
from sorority.accounts.tests.factories import UserFactory
from sorority.associations import services
from sorority.associations.models import Association, Case, Membership
from sorority.associations.tests.factories import (
    AssociationFactory,
    approved_association_with_staff,
)

pytestmark = pytest.mark.django_db


def test_a_member_registers_an_association_on_the_page(member_client):
    url = reverse("associations:register")
    assert member_client.get(url).status_code == 200
    bad = member_client.post(
        url, {"name": "A", "identifier": "123456789", "address": "P"}
    )
    assert bad.status_code == 200
    assert "SIREN" in bad.content.decode()
    response = member_client.post(
        url, {"name": "Abri", "identifier": "W 751 234 567", "address": "Paris"}
    )
    association = Association.objects.get()
    assert response.url == reverse("associations:detail", args=[association.pk])
    assert association.identifier == "W751234567"


def test_an_applicant_cannot_register(applicant_client):
    response = applicant_client.get(reverse("associations:register"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:status")


def test_the_moderator_reviews_on_the_page(client, moderator):
    association = AssociationFactory(status=Association.Status.PENDING)
    sign_in(client, moderator, second_factor=True)
    listing = client.get(reverse("associations:review_list"))
    assert association.name in listing.content.decode()
    url = reverse("associations:review", args=[association.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"decision": "approve"})
    assert response.status_code == 302
    association.refresh_from_db()
    assert association.status == Association.Status.APPROVED
    assert is_association_staff(User.objects.get(pk=association.representative_id))


@pytest.mark.parametrize("second_factor", [False, True])
def test_review_pages_are_for_moderators_with_a_second_factor(
    client, member, moderator, second_factor
):
    association = AssociationFactory(status=Association.Status.PENDING)
    url = reverse("associations:review", args=[association.pk])
    sign_in(client, member)
    assert client.get(url).status_code == 403
    client.logout()
    sign_in(client, moderator, second_factor=second_factor)
    response = client.post(url, {"decision": "refuse", "reason": "Unknown number"})
    association.refresh_from_db()
    if second_factor:
        assert association.status == Association.Status.REFUSED
    else:
        assert response.status_code == 302
        assert response.url == reverse("accounts:second_factor")
        assert association.status == Association.Status.PENDING


def test_invite_accept_and_remove_on_the_pages(client):
    association, rep = approved_association_with_staff()
    invitee = UserFactory()
    sign_in(client, rep)
    client.post(
        reverse("associations:staff_invite", args=[association.pk]),
        {"member": str(invitee.pk)},
    )
    membership = Membership.objects.get(user=invitee)
    client.logout()
    sign_in(client, invitee)
    home = client.get(reverse("associations:home")).content.decode()
    assert association.name in home
    client.post(
        reverse("associations:invitation_answer", args=[membership.pk]),
        {"answer": "accept"},
    )
    assert client.get(reverse("associations:case_list")).status_code == 200
    client.logout()
    sign_in(client, rep)
    client.post(
        reverse("associations:staff_remove", args=[association.pk, membership.pk])
    )
    client.logout()
    sign_in(client, User.objects.get(pk=invitee.pk))
    assert client.get(reverse("associations:case_list")).status_code == 404


def test_a_staff_member_cannot_remove_others(client):
    association, rep = approved_association_with_staff()
    from sorority.associations.tests.factories import add_staff

    staff = add_staff(association)
    sign_in(client, staff)
    rep_membership = Membership.objects.get(user=rep)
    response = client.post(
        reverse("associations:staff_remove", args=[association.pk, rep_membership.pk])
    )
    assert response.status_code == 404
    other = add_staff(association)
    client.post(
        reverse(
            "associations:staff_remove",
            args=[association.pk, Membership.objects.get(user=other).pk],
        )
    )
    assert Membership.objects.get(user=other).status == Membership.Status.ACTIVE


def test_the_threatened_answer_tells_to_call_17_and_blocks_outreach(client):
    association, rep = approved_association_with_staff()
    case = services.case_open(association=association, actor=rep, label="Rose")
    sign_in(client, rep)
    response = client.post(
        reverse("associations:case_safety", args=[case.pk]),
        {"threatened": "yes"},
        follow=True,
    )
    body = response.content.decode()
    assert "17" in body
    assert "Ne mettez jamais une hébergeuse en danger" in body
    case.refresh_from_db()
    assert case.safety_threatened is True
    assert case.safety_asked_at is not None
    page = client.get(reverse("associations:case_outreach", args=[case.pk]))
    assert "appelez le 17" in page.content.decode()


def test_opening_a_case_by_name_of_the_town(client):
    _association, rep = approved_association_with_staff()
    sign_in(client, rep)
    response = client.post(
        reverse("associations:case_new"),
        {
            "label": "Rose",
            "need": "safe_place",
            "adults": 1,
            "nights": 2,
            "children_ages": "3, 7",
            "target_commune": "Lyon",
            "avoid_radius_km": 0,
        },
    )
    case = Case.objects.get()
    assert response.url == reverse("associations:case_detail", args=[case.pk])
    assert case.target_commune == "69123"
    assert case.children_ages == [3, 7]
    bad = client.post(
        reverse("associations:case_new"),
        {
            "label": "X",
            "need": "safe_place",
            "adults": 1,
            "nights": 2,
            "children_ages": "three",
            "avoid_radius_km": 0,
        },
    )
    assert bad.status_code == 200
    assert Case.objects.count() == 1


def test_the_host_sees_the_same_thank_you_for_a_duress_answer(client):
    association, rep = approved_association_with_staff()
    case = services.case_open(association=association, actor=rep, label="Rose")
    services.case_record_safety_check(case=case, actor=rep, threatened=False)
    host = UserFactory()
    (req,) = services.outreach_send(case=case, actor=rep, host_ids=[host.pk])
    sign_in(client, host)
    page = client.get(reverse("associations:request_detail", args=[req.pk]))
    assert "Rose" not in page.content.decode()
    client.post(
        reverse("associations:request_detail", args=[req.pk]), {"answer": "accepted"}
    )
    placement = services.placement_record(
        case=case,
        actor=rep,
        request=req,
        starts_on=timezone.localdate(),
        expected_end_on=timezone.localdate(),
        duress_answer="quiet_day",
    )
    url = reverse("associations:hosting_detail", args=[placement.pk])
    page = client.get(url).content.decode()
    assert rep.display_name in page
    assert "Rose" not in page
    normal = client.post(url, {"answer": "nothing_new"}, follow=True).content.decode()
    duress = client.post(url, {"answer": "quiet_day"}, follow=True).content.decode()
    for body in (normal, duress):
        assert "Merci, votre nouvelle a été envoyée." in body
        assert "alerte" not in body.lower()
    assert case.events.filter(kind="urgent_alert").count() == 1
    other = UserFactory()
    client.logout()
    sign_in(client, other)
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("associations:request_detail", args=[req.pk])).status_code
        == 404
    )


def test_the_staff_downloads_the_associations_data(client):
    association, rep = approved_association_with_staff()
    services.case_open(association=association, actor=rep, label="Rose", notes="n1")
    sign_in(client, rep)
    response = client.get(reverse("associations:export", args=[association.pk]))
    data = json.loads(response.content)
    assert data["cases"][0]["notes"] == "n1"
    assert response["Content-Disposition"].startswith("attachment")


def test_pages_render_for_staff_in_english_too(client):
    association, rep = approved_association_with_staff()
    case = services.case_open(association=association, actor=rep, label="Rose")
    sign_in(client, rep)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    for url in (
        reverse("associations:home"),
        reverse("associations:case_list"),
        reverse("associations:case_new"),
        reverse("associations:detail", args=[association.pk]),
        reverse("associations:case_detail", args=[case.pk]),
        reverse("associations:case_outreach", args=[case.pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_the_sheltered_person_checks_in_from_her_private_link(client):
    association, rep = approved_association_with_staff()
    case = services.case_open(association=association, actor=rep, label="Rose")
    services.case_record_safety_check(case=case, actor=rep, threatened=False)
    host = UserFactory()
    (req,) = services.outreach_send(case=case, actor=rep, host_ids=[host.pk])
    services.request_answer(request=req, actor=host, answer="accepted")
    placement = services.placement_record(
        case=case,
        actor=rep,
        request=req,
        starts_on=timezone.localdate(),
        expected_end_on=timezone.localdate(),
        duress_answer="nothing_new",
    )
    url = reverse("associations:guest_check_in", args=[placement.guest_key])
    page = client.get(url).content.decode()  # signed out: the link is the credential
    for secret in ("Rose", association.name, host.display_name, rep.display_name):
        assert secret not in page
    fine = client.post(url, {"answer": "quiet_day"}).content.decode()
    duress = client.post(url, {"answer": "nothing_new"}).content.decode()
    assert "Merci, votre nouvelle a été envoyée." in fine
    assert "Merci, votre nouvelle a été envoyée." in duress
    guest = placement.follow_ups.filter(with_whom="guest", status="done")
    assert sorted(guest.values_list("outcome", flat=True)) == ["duress", "fine"]
    assert case.events.filter(kind="urgent_alert", actor=None).count() == 1
    assert (
        client.get(reverse("associations:guest_check_in", args=["nope"])).status_code
        == 404
    )
    sign_in(client, rep)
    assert (
        placement.guest_key
        in client.get(
            reverse("associations:case_detail", args=[case.pk])
        ).content.decode()
    )
    services.placement_end(placement=placement, actor=rep)
    client.logout()
    assert client.get(url).status_code == 404
    assert client.post(url, {"answer": "fine"}).status_code == 404
