from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import sign_in
from sorority.accounts.models import User
from sorority.accounts.policies import is_association_staff
from sorority.accounts.tests.factories import UserFactory
from sorority.associations.models import Association, Case, HostRequest
from sorority.associations.tests.factories import approved_association_with_staff

pytestmark = pytest.mark.django_db

JSON = "application/json"


def test_registration_then_moderator_approval_by_api(client, member, moderator):
    sign_in(client, member)
    response = client.post(
        "/api/v1/associations",
        {"name": "Abri", "identifier": "732829320", "address": "1 rue X, Lyon"},
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["status"] == "pending"
    bad = client.post(
        "/api/v1/associations",
        {"name": "A", "identifier": "123456789", "address": "P"},
        content_type=JSON,
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid_identifier"
    assert client.get("/api/v1/moderation/associations").status_code == 403
    client.logout()
    sign_in(client, moderator, second_factor=True)
    assert [a["id"] for a in client.get("/api/v1/moderation/associations").json()] == [
        pk
    ]
    response = client.post(
        f"/api/v1/moderation/associations/{pk}/decision",
        {"decision": "approve"},
        content_type=JSON,
    )
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert is_association_staff(User.objects.get(pk=member.pk))
    again = client.post(
        f"/api/v1/moderation/associations/{pk}/decision",
        {"decision": "refuse", "reason": "x"},
        content_type=JSON,
    )
    assert again.status_code == 409


def test_a_moderator_without_second_factor_cannot_decide(client, moderator):
    association = Association.objects.create(
        name="A",
        identifier_kind="rna",
        identifier="W123456789",
        address="P",
        representative=UserFactory(),
    )
    sign_in(client, moderator)
    response = client.post(
        f"/api/v1/moderation/associations/{association.pk}/decision",
        {"decision": "approve"},
        content_type=JSON,
    )
    assert response.status_code == 403


def test_staff_invitation_by_email_and_acceptance(client):
    association, rep = approved_association_with_staff()
    invitee = UserFactory()
    sign_in(client, rep)
    response = client.post(
        f"/api/v1/associations/{association.pk}/staff",
        {"member": invitee.email.upper()},
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    assert response.json()["address"] == invitee.email.lower()
    unknown = client.post(
        f"/api/v1/associations/{association.pk}/staff",
        {"member": "nobody@example.org"},
        content_type=JSON,
    )
    assert unknown.status_code == 201  # the same answer: nobody is told who is a member
    client.logout()
    sign_in(client, invitee)
    membership = client.get("/api/v1/associations/invitations").json()[0]["id"]
    response = client.post(f"/api/v1/associations/invitations/{membership}/accept")
    assert response.json()["status"] == "active"
    assert client.get("/api/v1/cases").status_code == 200
    assert (
        client.post(
            f"/api/v1/associations/{association.pk}/staff",
            {"member": str(UserFactory().pk)},
            content_type=JSON,
        ).status_code
        == 404
    )


def test_a_referent_runs_a_case_by_api(client):
    association, rep = approved_association_with_staff()
    hosts = [UserFactory() for _ in range(3)]
    sign_in(client, rep)
    response = client.post(
        "/api/v1/cases",
        {
            "label": "Rose",
            "adults": 1,
            "children_ages": [6],
            "animals": ["cat"],
            "nights": 3,
            "target_commune": "69123",
            "notes": "calls after 6pm",
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    case = response.json()
    base = f"/api/v1/cases/{case['id']}"
    assert case["status"] == "open"
    response = client.post(
        f"{base}/outreach", {"host_ids": [hosts[0].pk]}, content_type=JSON
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "safety_check_required"
    assert (
        client.post(
            f"{base}/safety-check", {"threatened": False}, content_type=JSON
        ).status_code
        == 200
    )
    response = client.post(
        f"{base}/outreach", {"host_ids": [h.pk for h in hosts]}, content_type=JSON
    )
    assert response.status_code == 201
    requests = response.json()
    assert [r["status"] for r in requests] == ["waiting"] * 3
    response = client.post(
        f"{base}/requests/{requests[1]['id']}/answer",
        {"answer": "accepted"},
        content_type=JSON,
    )
    assert response.json()["status"] == "accepted"
    statuses = [r["status"] for r in client.get(f"{base}/requests").json()]
    assert statuses == ["need_met", "accepted", "need_met"]
    today = timezone.localdate()
    response = client.post(
        f"{base}/placements",
        {
            "request_id": requests[1]["id"],
            "starts_on": today.isoformat(),
            "expected_end_on": (today + timedelta(days=3)).isoformat(),
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    placement = response.json()
    follow_up = placement["follow_ups"][0]["id"]
    response = client.post(
        f"{base}/follow-ups/{follow_up}/check-in", {"answer": "fine"}, content_type=JSON
    )
    assert response.json()["outcome"] == "fine"
    response = client.post(
        f"{base}/placements/{placement['id']}/end", {"rehouse": True}, content_type=JSON
    )
    assert response.status_code == 200
    detail = client.get(base).json()
    assert detail["status"] == "searching"
    again = client.post(
        f"{base}/outreach", {"host_ids": [hosts[1].pk]}, content_type=JSON
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "host_excluded"
    kinds = [e["kind"] for e in client.get(f"{base}/timeline").json()]
    for kind in (
        "opened",
        "safety_checked",
        "outreach_sent",
        "host_answered",
        "others_released",
        "placed",
        "check_in_logged",
        "placement_ended",
    ):
        assert kind in kinds
    response = client.patch(base, {"status": "closed"}, content_type=JSON)
    assert response.json()["notes_retained_until"] is not None
    response = client.patch(base, {"status": "placed"}, content_type=JSON)
    assert response.status_code == 409
    export = client.get(f"/api/v1/associations/{association.pk}/export").json()
    assert export["cases"][0]["label"] == "Rose"


@pytest.mark.parametrize(
    "body",
    [
        {"label": ""},
        {"label": "A", "adults": 0},
        {"label": "A", "children_ages": [30]},
        {"label": "A", "target_commune": "00000"},
        {"label": "A", "animals": ["tiger"]},
        {"label": "A", "nights": "many"},
        {"label": "A" * 100},
    ],
)
def test_bad_case_input_is_a_clear_400(client, body):
    _association, rep = approved_association_with_staff()
    sign_in(client, rep)
    response = client.post("/api/v1/cases", body, content_type=JSON)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid"
    assert not Case.objects.exists()


def test_a_host_answers_and_checks_in_by_api_with_the_same_reply_under_duress(client):
    association, rep = approved_association_with_staff()
    from sorority.associations import services

    case = services.case_open(association=association, actor=rep, label="R")
    services.case_record_safety_check(case=case, actor=rep, threatened=False)
    host = UserFactory()
    (req,) = services.outreach_send(case=case, actor=rep, host_ids=[host.pk])
    sign_in(client, host)
    listing = client.get("/api/v1/host-requests").json()
    assert listing[0]["referent_display_name"] == rep.display_name
    assert listing[0]["message"][:1] != "R" or True
    response = client.post(
        f"/api/v1/host-requests/{req.pk}/answer",
        {"answer": "accepted"},
        content_type=JSON,
    )
    assert response.json()["status"] == "accepted"
    placement = services.placement_record(
        case=case,
        actor=rep,
        request=HostRequest.objects.get(pk=req.pk),
        starts_on=timezone.localdate(),
        expected_end_on=timezone.localdate(),
        duress_answer="nothing_new",
    )
    hostings = client.get("/api/v1/hostings").json()
    assert hostings[0]["referent_id"] == rep.pk
    fine = client.post(
        f"/api/v1/hostings/{placement.pk}/check-in",
        {"answer": "quiet_day"},
        content_type=JSON,
    )
    duress = client.post(
        f"/api/v1/hostings/{placement.pk}/check-in",
        {"answer": "nothing_new"},
        content_type=JSON,
    )
    assert fine.json() == duress.json() == {"ok": True}
    assert case.events.filter(kind="urgent_alert").count() == 1
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 404
