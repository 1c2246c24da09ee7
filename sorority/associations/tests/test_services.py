from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from sorority.accounts.models import RoleAssignment, User
from sorority.accounts.policies import is_association_staff
from sorority.accounts.tests.factories import UserFactory
from sorority.associations import services
from sorority.associations.identifiers import identifier_kind
from sorority.associations.models import (
    Association,
    AssociationEvent,
    Case,
    CaseEvent,
    FollowUp,
    HostRequest,
    Membership,
)
from sorority.associations.policies import cases_visible_to
from sorority.associations.tests.factories import (
    AssociationFactory,
    CaseFactory,
    add_staff,
    approved_association_with_staff,
)
from sorority.core.errors import ApplicationError, Conflict, NotFound

pytestmark = pytest.mark.django_db


def fresh() -> User:
    """A user re-read from the database (roles are cached on instances)."""
    return UserFactory()


def reload(user: User) -> User:
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("W751234567", "rna"),
        ("w 751 234 567", "rna"),
        ("732 829 320", "siren"),
        ("552100554", "siren"),
        ("123456789", None),  # fails the Luhn check
        ("W12345678", None),
        ("X751234567", None),
        ("", None),
        ("73282932O", None),
    ],
)
def test_identifiers_are_checked_for_format_and_luhn(raw, kind):
    assert identifier_kind(raw) == kind


def test_a_verified_member_registers_an_association_pending_review(member):
    association = services.association_register(
        representative=member, name=" Abri ", identifier="W751234567", address="Paris"
    )
    assert association.status == Association.Status.PENDING
    assert association.name == "Abri"
    assert association.events.get().kind == AssociationEvent.Kind.REGISTERED


def test_an_applicant_cannot_register_an_association(applicant):
    with pytest.raises(ApplicationError) as exc:
        services.association_register(
            representative=applicant, name="A", identifier="W751234567", address="Paris"
        )
    assert exc.value.code == "verification_required"


def test_a_bad_or_taken_identifier_is_refused(member):
    with pytest.raises(ApplicationError) as exc:
        services.association_register(
            representative=member, name="A", identifier="123456789", address="P"
        )
    assert exc.value.code == "invalid_identifier"
    AssociationFactory(identifier="552100554")
    with pytest.raises(Conflict):
        services.association_register(
            representative=member, name="A", identifier="552 100 554", address="P"
        )


def test_approval_makes_the_representative_staff(member, moderator, commit):
    association = services.association_register(
        representative=member, name="A", identifier="W751234567", address="P"
    )
    with commit():
        services.association_approve(association=association, actor=moderator)
    association.refresh_from_db()
    assert association.status == Association.Status.APPROVED
    assert is_association_staff(reload(member))
    assert Membership.objects.get(user=member).is_representative
    assert len(mail.outbox) == 1
    with pytest.raises(Conflict):
        services.association_approve(association=association, actor=moderator)


def test_only_a_moderator_decides(member):
    association = AssociationFactory(status=Association.Status.PENDING)
    with pytest.raises(NotFound):
        services.association_approve(association=association, actor=member)
    with pytest.raises(NotFound):
        services.association_refuse(association=association, actor=member, reason="x")


def test_refusal_needs_a_reason(moderator):
    association = AssociationFactory(status=Association.Status.PENDING)
    with pytest.raises(ApplicationError):
        services.association_refuse(
            association=association, actor=moderator, reason=" "
        )
    services.association_refuse(
        association=association, actor=moderator, reason="Unknown"
    )
    assert reload(association.representative).roles.count() == 0
    association.refresh_from_db()
    assert association.status == Association.Status.REFUSED


def test_staff_invitation_accepted_then_removed_loses_access_and_role():
    association, rep = approved_association_with_staff()
    case = CaseFactory(association=association)
    invitee = fresh()
    services.staff_invite(association=association, actor=rep, reference=invitee.email)
    membership = Membership.objects.get(user=invitee)
    assert not cases_visible_to(reload(invitee)).exists()
    services.staff_accept(membership=membership, user=invitee)
    assert list(cases_visible_to(reload(invitee))) == [case]
    assert is_association_staff(reload(invitee))
    services.case_assign_referent(case=case, actor=rep, referent=invitee)
    services.staff_remove(membership=membership, actor=rep)
    invitee = reload(invitee)
    assert not cases_visible_to(invitee).exists()
    assert not is_association_staff(invitee)
    case.refresh_from_db()
    assert case.referent is None


def test_a_removed_staff_member_keeps_the_role_for_her_other_association():
    first, rep = approved_association_with_staff()
    second, _rep2 = approved_association_with_staff()
    both = add_staff(second, add_staff(first))
    membership = Membership.objects.get(association=first, user=both)
    services.staff_remove(membership=membership, actor=rep)
    assert is_association_staff(reload(both))


def test_only_the_representative_invites_and_she_cannot_be_removed():
    association, rep = approved_association_with_staff()
    staff = add_staff(association)
    with pytest.raises(NotFound):
        services.staff_invite(
            association=association, actor=staff, reference=fresh().email
        )
    applicant = UserFactory(status="pending")
    services.staff_invite(association=association, actor=rep, reference=applicant.pk)
    assert not Membership.objects.filter(user=applicant).exists()  # nothing for her
    with pytest.raises(Conflict) as exc:  # one pending invitation per address
        services.staff_invite(
            association=association, actor=rep, reference=f"#{applicant.pk}"
        )
    assert exc.value.code == "already_invited"
    with pytest.raises(ApplicationError) as exc:
        services.staff_invite(association=association, actor=rep, reference="nobody")
    assert exc.value.code == "invalid"
    with pytest.raises(Conflict):
        services.staff_remove(membership=Membership.objects.get(user=rep), actor=rep)


def test_an_invitation_can_only_be_answered_by_the_invitee():
    association, rep = approved_association_with_staff()
    invitee = fresh()
    services.staff_invite(association=association, actor=rep, reference=invitee.pk)
    membership = Membership.objects.get(user=invitee)
    with pytest.raises(NotFound):
        services.staff_accept(membership=membership, user=fresh())
    services.staff_decline(membership=membership, user=invitee)
    assert not is_association_staff(reload(invitee))


def open_case(**needs: object) -> tuple[Case, User]:
    association, rep = approved_association_with_staff()
    case = services.case_open(
        association=association,
        actor=rep,
        label="Rose",
        target_commune="75056",
        **needs,
    )
    return case, rep


def test_opening_a_case_checks_needs_and_writes_the_timeline():
    case, rep = open_case(adults=1, children_ages=[4, 9], animals=["cat"], nights=3)
    assert case.referent == rep
    assert case.children == 2
    assert [e.kind for e in case.events.all()] == ["opened", "referent_assigned"]
    association = case.association
    for bad in (
        {"children_ages": [19]},
        {"animals": ["lion"]},
        {"adults": 0},
        {"target_commune": "99999"},
        {"support_kinds": ["nope"]},
    ):
        with pytest.raises(ApplicationError):
            services.case_open(association=association, actor=rep, label="X", **bad)
    with pytest.raises(NotFound):
        services.case_open(association=association, actor=fresh(), label="X")


def test_status_transitions_are_enforced_and_closing_sets_retention(settings):
    settings.CASE_NOTES_RETENTION_DAYS = 30
    case, rep = open_case()
    with pytest.raises(Conflict):
        services.case_set_status(case=case, actor=rep, status="placed")
    services.case_set_status(case=case, actor=rep, status="searching")
    services.case_set_status(case=case, actor=rep, status="closed")
    case.refresh_from_db()
    assert case.notes_retained_until - case.closed_at == timedelta(days=30)
    with pytest.raises(Conflict):
        services.case_set_status(case=case, actor=rep, status="searching")
    services.case_set_status(case=case, actor=rep, status="open")
    case.refresh_from_db()
    assert case.notes_retained_until is None


def test_notes_are_deleted_after_retention(settings):
    settings.CASE_NOTES_RETENTION_DAYS = 10
    case, rep = open_case()
    services.case_set_notes(case=case, actor=rep, notes="She prefers calls after 6pm")
    services.case_set_status(case=case, actor=rep, status="closed")
    assert services.case_purge_expired_notes() == 0
    with time_machine.travel(timezone.now() + timedelta(days=11)):
        assert services.case_purge_expired_notes() == 1
    case.refresh_from_db()
    assert case.notes == ""
    assert case.events.filter(kind=CaseEvent.Kind.NOTES_PURGED).exists()
    assert "6pm" not in str(list(case.events.values_list("data", flat=True)))


def hosts(n: int) -> list[User]:
    return [UserFactory() for _ in range(n)]


def test_outreach_needs_the_safety_check_and_refuses_when_threatened():
    case, rep = open_case()
    host_ids = [h.pk for h in hosts(2)]
    with pytest.raises(Conflict) as exc:
        services.outreach_send(case=case, actor=rep, host_ids=host_ids)
    assert exc.value.code == "safety_check_required"
    services.case_record_safety_check(case=case, actor=rep, threatened=True)
    with pytest.raises(Conflict) as exc:
        services.outreach_send(case=case, actor=rep, host_ids=host_ids)
    assert exc.value.code == "threatened_call_17"
    services.case_record_safety_check(case=case, actor=rep, threatened=False)
    sent = services.outreach_send(case=case, actor=rep, host_ids=host_ids)
    assert len(sent) == 2
    case.refresh_from_db()
    assert case.status == Case.Status.SEARCHING
    assert case.events.filter(kind="safety_checked").count() == 2


def test_outreach_is_bounded_and_skips_non_members():
    case, rep = open_case()
    services.case_record_safety_check(case=case, actor=rep, threatened=False)
    with pytest.raises(ApplicationError) as exc:
        services.outreach_send(case=case, actor=rep, host_ids=[h.pk for h in hosts(11)])
    assert exc.value.code == "too_many_hosts"
    with pytest.raises(ApplicationError) as exc:
        services.outreach_send(
            case=case, actor=rep, host_ids=[UserFactory(status="pending").pk]
        )
    assert exc.value.code == "host_unavailable"
    with pytest.raises(ApplicationError):
        services.outreach_send(case=case, actor=rep, host_ids=[])


def test_the_request_asks_the_safety_questions_without_the_label():
    case, rep = open_case(adults=2, children_ages=[3], animals=["dog"], nights=4)
    services.case_record_safety_check(case=case, actor=rep, threatened=False)
    (request,) = services.outreach_send(case=case, actor=rep, host_ids=[hosts(1)[0].pk])
    assert "Rose" not in request.message
    assert "2 adultes" in request.message
    assert "canapé" in request.message
    assert "Private" not in request.message


def contacted_case(n: int = 3) -> tuple[Case, User, list[HostRequest]]:
    case, rep = open_case()
    services.case_record_safety_check(case=case, actor=rep, threatened=False)
    sent = services.outreach_send(
        case=case, actor=rep, host_ids=[h.pk for h in hosts(n)]
    )
    return case, rep, sent


def test_first_acceptance_tells_the_others_the_need_is_met(commit):
    _case, rep, sent = contacted_case(3)
    mail.outbox.clear()
    services.request_answer(request=sent[0], actor=sent[0].host, answer="declined")
    with commit():
        services.request_answer(request=sent[1], actor=sent[1].host, answer="accepted")
    statuses = dict(HostRequest.objects.values_list("pk", "status"))
    assert statuses == {
        sent[0].pk: "declined",
        sent[1].pk: "accepted",
        sent[2].pk: "need_met",
    }
    recipients = {m.to[0] for m in mail.outbox}
    assert sent[2].host.email in recipients
    assert rep.email in recipients
    with pytest.raises(Conflict):
        services.request_answer(request=sent[2], actor=sent[2].host, answer="accepted")
    with pytest.raises(NotFound):
        services.request_answer(request=sent[0], actor=fresh(), answer="accepted")


def placed_case() -> tuple[Case, User, object]:
    case, rep, sent = contacted_case(2)
    services.request_answer(request=sent[0], actor=sent[0].host, answer="accepted")
    placement = services.placement_record(
        case=case,
        actor=rep,
        request=sent[0],
        starts_on=timezone.localdate(),
        expected_end_on=timezone.localdate() + timedelta(days=5),
        duress_answer="quiet_day",
    )
    return case, rep, placement


def test_placement_needs_an_accepted_host_and_schedules_follow_ups():
    case, rep, sent = contacted_case(2)
    with pytest.raises(Conflict):
        services.placement_record(
            case=case,
            actor=rep,
            request=sent[1],
            starts_on=timezone.localdate(),
            expected_end_on=timezone.localdate(),
        )
    case, rep, placement = placed_case()
    case.refresh_from_db()
    assert case.status == Case.Status.PLACED
    assert sorted(placement.follow_ups.values_list("with_whom", flat=True)) == [
        "guest",
        "host",
    ]


def test_a_duress_answer_looks_normal_but_raises_an_urgent_alert(commit):
    case, rep, placement = placed_case()
    mail.outbox.clear()
    with commit():
        follow_up = services.check_in_log(
            placement=placement, actor=placement.host, answer="quiet_day"
        )
    assert follow_up.outcome == FollowUp.Outcome.DURESS
    assert case.events.filter(kind="urgent_alert").exists()
    assert [m.to for m in mail.outbox] == [[rep.email]]
    assert "rgent" in mail.outbox[0].subject


def test_the_other_quiet_answer_is_just_fine(commit):
    _case, _rep, placement = placed_case()
    mail.outbox.clear()
    with commit():
        follow_up = services.check_in_log(
            placement=placement, actor=placement.host, answer="nothing_new"
        )
    assert follow_up.outcome == FollowUp.Outcome.FINE
    assert mail.outbox == []


def test_an_issue_alerts_the_referent_and_strangers_cannot_check_in(commit):
    _case, rep, placement = placed_case()
    guest_follow_up = placement.follow_ups.get(with_whom="guest")
    mail.outbox.clear()
    with commit():
        services.check_in_log(
            follow_up=guest_follow_up, actor=rep, answer="issue", note="Noise"
        )
    assert len(mail.outbox) == 1
    with pytest.raises(NotFound):
        services.check_in_log(placement=placement, actor=fresh(), answer="fine")
    with pytest.raises(NotFound):
        services.check_in_log(
            follow_up=guest_follow_up, actor=placement.host, answer="fine"
        )


def test_missed_check_ins_alert_the_referent_and_reminders_go_once(commit):
    case, rep, placement = placed_case()
    mail.outbox.clear()
    due = placement.follow_ups.first().due_at
    with commit():
        assert services.follow_ups_remind(now=due - timedelta(hours=2)) == 0
        assert services.follow_ups_remind(now=due - timedelta(minutes=30)) == 2
        assert services.follow_ups_remind(now=due) == 0
        assert services.follow_ups_flag_missed(now=due + timedelta(hours=1)) == 0
        assert services.follow_ups_flag_missed(now=due + timedelta(hours=13)) == 2
    assert case.events.filter(kind="check_in_missed").count() == 2
    assert all(m.to == [rep.email] for m in mail.outbox)
    assert len(mail.outbox) == 4


def test_rehousing_excludes_previous_hosts():
    case, rep, placement = placed_case()
    services.placement_end(placement=placement, actor=rep, rehouse=True)
    case.refresh_from_db()
    assert case.status == Case.Status.SEARCHING
    with pytest.raises(Conflict) as exc:
        services.outreach_send(case=case, actor=rep, host_ids=[placement.host_id])
    assert exc.value.code == "host_excluded"
    new = services.outreach_send(case=case, actor=rep, host_ids=[hosts(1)[0].pk])
    assert new[0].batch == 2
    with pytest.raises(Conflict) as exc:
        services.placement_record(
            case=case,
            actor=rep,
            request=placement.request,
            starts_on=timezone.localdate(),
            expected_end_on=timezone.localdate(),
        )
    assert exc.value.code == "host_excluded"
    with pytest.raises(Conflict):
        services.check_in_log(placement=placement, actor=rep, answer="fine")


def test_closing_is_refused_while_placed():
    case, rep, _placement = placed_case()
    with pytest.raises(Conflict):
        services.case_set_status(case=case, actor=rep, status="closed")


def test_personal_data_export_and_erasure_cover_staff_and_hosts():
    from sorority.associations.personal_data import erase_for, export_for

    case, rep, placement = placed_case()
    host = placement.host
    data = export_for(host)
    assert data["stays_hosted"][0]["association"] == case.association.name
    assert data["host_requests_received"]
    assert export_for(rep)["staff_memberships"][0]["is_representative"]
    erase_for(rep)
    assert not Membership.objects.filter(user=rep).exists()
    assert not RoleAssignment.objects.filter(user=rep).exists()
    assert not CaseEvent.objects.filter(actor=rep).exists()
    erase_for(host)
    placement.refresh_from_db()
    assert placement.host is None


def test_check_in_notes_and_end_reasons_go_with_the_notes(settings):
    settings.CASE_NOTES_RETENTION_DAYS = 1
    case, rep, placement = placed_case()
    services.check_in_log(
        placement=placement, actor=rep, answer="issue", note="Door code 1234"
    )
    services.placement_end(
        placement=placement, actor=rep, reason="She moved to her sister"
    )
    services.case_set_status(case=case, actor=rep, status="closed")
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        services.case_purge_expired_notes()
    placement.refresh_from_db()
    assert placement.end_reason == ""
    assert not FollowUp.objects.exclude(note="").exists()
