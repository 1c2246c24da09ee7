"""Case content is for the association's current staff only: everyone else gets 404."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from sorority.accounts.models import RoleAssignment, User
from sorority.accounts.tests.factories import UserFactory
from sorority.associations import services
from sorority.associations.models import Membership
from sorority.associations.tests.factories import (
    add_staff,
    approved_association_with_staff,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict:
    """A placed case with a request, a placement and a follow-up, and its staff."""
    association, rep = approved_association_with_staff()
    case = services.case_open(
        association=association,
        actor=rep,
        label="Rose",
        target_commune="75056",
        notes="secret-note-text",
    )
    services.case_record_safety_check(case=case, actor=rep, threatened=False)
    host, other_host = UserFactory(), UserFactory()
    req, _other = services.outreach_send(
        case=case, actor=rep, host_ids=[host.pk, other_host.pk]
    )
    services.request_answer(request=req, actor=host, answer="accepted")
    placement = services.placement_record(
        case=case,
        actor=rep,
        request=req,
        starts_on=timezone.localdate(),
        expected_end_on=timezone.localdate() + timedelta(days=3),
    )
    return {
        "association": association,
        "rep": rep,
        "case": case,
        "request": req,
        "placement": placement,
        "follow_up": placement.follow_ups.first(),
        "host": host,
    }


def outsider(kind: str, world: dict) -> tuple[User, bool]:
    """A person of the given kind, and whether she signs in with a second factor."""
    if kind == "other_association_staff":
        _other, rep = approved_association_with_staff()
        return rep, False
    if kind == "former_staff":
        former = add_staff(world["association"])
        services.staff_remove(
            membership=Membership.objects.get(user=former), actor=world["rep"]
        )
        return User.objects.get(pk=former.pk), False
    if kind == "plain_member":
        return UserFactory(), False
    if kind == "host":
        return world["host"], False
    moderator = UserFactory()
    RoleAssignment.objects.create(user=moderator, role=RoleAssignment.Role.MODERATOR)
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(moderator, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return moderator, True


def case_pages(world: dict) -> list[tuple[str, str]]:
    pk = world["case"].pk
    placement = world["placement"].pk
    args = {
        "case_detail": [pk],
        "case_edit": [pk],
        "case_safety": [pk],
        "case_notes": [pk],
        "case_status": [pk],
        "case_referent": [pk],
        "case_outreach": [pk],
        "request_record": [pk, world["request"].pk],
        "case_place": [pk],
        "follow_up_new": [pk, placement],
        "placement_end": [pk, placement],
        "check_in": [pk, world["follow_up"].pk],
    }
    pages = {"case_detail", "case_edit", "case_outreach"}
    urls = []
    for name, arguments in args.items():
        url = reverse(f"associations:{name}", args=arguments)
        if name in pages:
            urls.append(("get", url))
        if name != "case_detail":
            urls.append(("post", url))
    urls += [("get", reverse("associations:export", args=[world["association"].pk]))]
    return urls


COLLECTION_PAGES = ["associations:case_list", "associations:case_new"]


def case_endpoints(world: dict) -> list[tuple[str, str, dict]]:
    pk = world["case"].pk
    placement = world["placement"].pk
    base = f"/api/v1/cases/{pk}"
    return [
        ("get", base, {}),
        ("patch", base, {"notes": "x"}),
        ("post", f"{base}/safety-check", {"threatened": False}),
        ("get", f"{base}/timeline", {}),
        ("get", f"{base}/hosts", {}),
        ("post", f"{base}/outreach", {"host_ids": [1]}),
        ("get", f"{base}/requests", {}),
        (
            "post",
            f"{base}/requests/{world['request'].pk}/answer",
            {"answer": "accepted"},
        ),
        (
            "post",
            f"{base}/placements",
            {
                "request_id": world["request"].pk,
                "starts_on": "2030-01-01",
                "expected_end_on": "2030-01-02",
            },
        ),
        ("post", f"{base}/placements/{placement}/end", {"rehouse": True}),
        (
            "post",
            f"{base}/placements/{placement}/follow-ups",
            {"with": "host", "due_at": "2030-01-01T10:00:00Z"},
        ),
        (
            "post",
            f"{base}/follow-ups/{world['follow_up'].pk}/check-in",
            {"answer": "fine"},
        ),
        ("get", f"/api/v1/associations/{world['association'].pk}/export", {}),
    ]


KINDS = ["other_association_staff", "former_staff", "plain_member", "moderator", "host"]


@pytest.mark.parametrize("kind", KINDS)
def test_outsiders_get_404_on_every_case_page(client, world, kind):
    person, second_factor = outsider(kind, world)
    sign_in(client, person, second_factor=second_factor)
    for method, url in case_pages(world):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (kind, method, url)
        assert b"secret-note-text" not in response.content
    for name in COLLECTION_PAGES:
        response = client.get(reverse(name))
        if kind == "other_association_staff":  # her own association's pages, not ours
            assert b"Rose" not in response.content
            assert b"secret-note-text" not in response.content
        else:
            assert response.status_code == 404, (kind, name)


@pytest.mark.parametrize("kind", KINDS)
def test_outsiders_get_404_on_every_case_endpoint(client, world, kind):
    person, second_factor = outsider(kind, world)
    sign_in(client, person, second_factor=second_factor)
    for method, url, body in case_endpoints(world):
        response = getattr(client, method)(url, body, content_type="application/json")
        assert response.status_code == 404, (kind, method, url, response.content)
        assert response.json()["error"]["code"] == "not_found"
    listing = client.get("/api/v1/cases")
    created = client.post(
        "/api/v1/cases", {"label": "X"}, content_type="application/json"
    )
    if kind == "other_association_staff":  # her own cases only
        assert listing.json() == []
        assert created.json()["association_id"] != world["association"].pk
    else:
        assert listing.status_code == created.status_code == 404
    world["case"].refresh_from_db()
    assert world["case"].notes == "secret-note-text"
    assert world["case"].status == "placed"


def test_current_staff_sees_every_case_page(client, world):
    staff = add_staff(world["association"])
    sign_in(client, User.objects.get(pk=staff.pk))
    for method, url in case_pages(world):
        if method == "get":
            response = client.get(url)
            assert response.status_code == 200, url


def test_an_applicant_is_sent_to_verification(client, world):
    sign_in(client, UserFactory(status="pending"))
    response = client.get(reverse("associations:case_detail", args=[world["case"].pk]))
    assert response.status_code == 302
    response = client.get(f"/api/v1/cases/{world['case'].pk}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "verification_required"


def test_signed_out_visitors_are_refused(client, world):
    assert client.get(reverse("associations:case_list")).status_code == 302
    assert client.get("/api/v1/cases").status_code == 401


def test_a_removed_staff_member_loses_access_at_once(client, world):
    staff = add_staff(world["association"])
    sign_in(client, User.objects.get(pk=staff.pk))
    url = f"/api/v1/cases/{world['case'].pk}"
    assert client.get(url).status_code == 200
    services.staff_remove(
        membership=Membership.objects.get(user=staff), actor=world["rep"]
    )
    assert client.get(url).status_code == 404
    assert client.get(reverse("associations:case_list")).status_code == 404
