import pytest
from django.core import mail
from django.urls import reverse

from conftest import as_second_factor_session, sign_in
from sorority.accounts.models import RoleAssignment, User
from sorority.accounts.tests.factories import UserFactory
from sorority.chat.tests.factories import conversation_between, message_in
from sorority.core.errors import Conflict, NotFound
from sorority.moderation import services
from sorority.moderation.models import BanProposal, ModerationEvent, Report, Suspension

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_moderator(db) -> User:
    from allauth.mfa.totp.internal.auth import TOTP

    user = UserFactory()
    RoleAssignment.objects.create(user=user, role=RoleAssignment.Role.MODERATOR)
    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return as_second_factor_session(user)


@pytest.fixture
def report(member) -> Report:
    return services.report_create(
        reporter=member, member_id=UserFactory().pk, reason="harassment", details="d"
    )


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


# --- reporting -------------------------------------------------------------------


def test_a_member_reports_a_message_she_can_see_and_its_text_is_copied(
    member_client, member
):
    other = UserFactory()
    message = message_in(conversation_between(member, other), other, "menace")
    response = post(
        member_client,
        "/api/v1/reports",
        {"message_id": message.pk, "reason": "harassment", "details": "peur"},
    )
    assert response.status_code == 201
    report = Report.objects.get()
    assert report.message_text == "menace"
    assert report.reported == other
    assert ModerationEvent.objects.filter(kind="reported", report=report).exists()


def test_a_member_reports_a_member(member_client):
    other = UserFactory()
    response = post(
        member_client, "/api/v1/reports", {"member_id": other.pk, "reason": "spam"}
    )
    assert response.status_code == 201
    assert Report.objects.get().reported == other


def test_messages_she_cannot_see_or_wrote_herself_are_404(member_client, member):
    foreign = conversation_between()
    hidden = message_in(foreign, foreign.person_low)
    own = message_in(conversation_between(member), member)
    for message in (hidden, own):
        response = post(
            member_client,
            "/api/v1/reports",
            {"message_id": message.pk, "reason": "spam"},
        )
        assert response.status_code == 404
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"reason": "spam"},
        {"member_id": 1, "message_id": 1, "reason": "spam"},
        {"member_id": 1, "reason": "nonsense"},
        {"member_id": "x", "reason": "spam"},
    ],
)
def test_bad_reports_are_a_clear_4xx(member_client, body):
    response = post(member_client, "/api/v1/reports", body)
    assert 400 <= response.status_code < 500
    assert "error" in response.json()


def test_reporting_is_for_members_only(applicant_client):
    from django.test import Client

    assert (
        post(
            Client(), "/api/v1/reports", {"member_id": 1, "reason": "spam"}
        ).status_code
        == 401
    )
    response = post(
        applicant_client, "/api/v1/reports", {"member_id": 1, "reason": "spam"}
    )
    assert response.status_code == 403


def test_the_report_page_files_a_report(member_client, member):
    other = UserFactory()
    url = reverse("moderation:report_new") + f"?member_id={other.pk}"
    assert member_client.get(url).status_code == 200
    member_client.post(url, {"reason": "impersonation", "details": ""})
    assert Report.objects.get().reason == "impersonation"


# --- the queue: refusals for every role -------------------------------------------


QUEUE_PAGES = ["moderation:reports"]


def test_moderators_with_a_second_factor_see_the_queue(moderator_client, report):
    page = moderator_client.get(reverse("moderation:reports"))
    assert page.status_code == 200
    assert (
        reverse("moderation:report_detail", args=[report.pk]) in page.content.decode()
    )
    assert (
        moderator_client.get(
            reverse("moderation:report_detail", args=[report.pk])
        ).status_code
        == 200
    )
    assert moderator_client.get("/api/v1/moderation/reports").status_code == 200


def test_anonymous_people_cannot_reach_the_queue(client, report):
    assert client.get(reverse("moderation:reports")).status_code == 302
    assert client.get("/api/v1/moderation/reports").status_code == 401


def test_applicants_cannot_reach_the_queue(applicant_client, report):
    assert applicant_client.get(reverse("moderation:reports")).status_code == 302
    assert applicant_client.get("/api/v1/moderation/reports").status_code == 403


@pytest.mark.parametrize("who", ["member", "staff_member"])
def test_members_and_staff_cannot_reach_the_queue(client, request, who, report):
    sign_in(client, request.getfixturevalue(who))
    assert client.get(reverse("moderation:reports")).status_code == 403
    assert (
        client.get(reverse("moderation:report_detail", args=[report.pk])).status_code
        == 403
    )
    assert (
        client.post(
            reverse("moderation:report_detail", args=[report.pk]), {"action": "dismiss"}
        ).status_code
        == 403
    )
    assert client.get("/api/v1/moderation/reports").status_code == 403
    assert Report.objects.get().status == "open"


def test_a_moderator_without_second_factor_session_is_refused(
    client, moderator, report
):
    sign_in(client, moderator, second_factor=False)
    response = client.get(reverse("moderation:reports"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:second_factor")


def test_a_missing_report_is_404(moderator_client):
    assert (
        moderator_client.get(
            reverse("moderation:report_detail", args=[999])
        ).status_code
        == 404
    )


# --- actions ------------------------------------------------------------------------


def test_dismiss_closes_the_report_with_an_event(moderator_client, moderator, report):
    moderator_client.post(
        reverse("moderation:report_detail", args=[report.pk]), {"action": "dismiss"}
    )
    report.refresh_from_db()
    assert report.status == "dismissed"
    assert report.closed_by == moderator
    assert ModerationEvent.objects.filter(kind="dismissed", actor=moderator).exists()


def test_warn_sends_a_neutral_email(
    moderator, report, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.report_warn(moderator=moderator, report_id=report.pk)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [report.reported.email]
    assert "harassment" not in mail.outbox[0].body


def test_suspend_pauses_access_until_lifted(moderator, report):
    from datetime import timedelta

    from django.utils import timezone

    services.report_suspend(moderator=moderator, report_id=report.pk, days=3)
    target = User.objects.get(pk=report.reported_id)
    assert target.is_active is False
    assert services.suspensions_lift_expired() == 0
    Suspension.objects.update(until=timezone.now() - timedelta(minutes=1))
    assert services.suspensions_lift_expired() == 1
    target.refresh_from_db()
    assert target.is_active is True


def test_a_closed_report_cannot_be_acted_on_again(moderator, report):
    services.report_dismiss(moderator=moderator, report_id=report.pk)
    with pytest.raises(Conflict):
        services.report_warn(moderator=moderator, report_id=report.pk)


def test_a_moderator_cannot_decide_a_report_about_herself(moderator, member):
    report = services.report_create(
        reporter=member, member_id=moderator.pk, reason="spam"
    )
    with pytest.raises(Conflict):
        services.report_dismiss(moderator=moderator, report_id=report.pk)
    assert ModerationEvent.objects.filter(kind="refused").exists()


def test_a_ban_needs_a_second_different_moderator(moderator, second_moderator, report):
    proposal = services.ban_propose(moderator=moderator, report_id=report.pk)
    target = User.objects.get(pk=report.reported_id)
    assert target.status == User.Status.MEMBER  # nothing happens on a proposal
    with pytest.raises(Conflict) as info:
        services.ban_approve(moderator=moderator, proposal_id=proposal.pk)
    assert info.value.code == "second_moderator_required"
    assert ModerationEvent.objects.filter(
        kind="refused", actor=moderator, data__why="second_moderator_required"
    ).exists()
    target.refresh_from_db()
    assert target.status == User.Status.MEMBER
    services.ban_approve(moderator=second_moderator, proposal_id=proposal.pk)
    target.refresh_from_db()
    assert target.status == User.Status.BANNED
    proposal.refresh_from_db()
    assert proposal.decided_by == second_moderator
    assert proposal.tags == {}
    with pytest.raises(Conflict):
        services.ban_approve(moderator=second_moderator, proposal_id=proposal.pk)


def test_an_approved_ban_keeps_only_identity_tags(moderator, second_moderator, report):
    proposal = services.ban_propose(moderator=moderator, report_id=report.pk)
    import datetime

    services.ban_approve(
        moderator=second_moderator,
        proposal_id=proposal.pk,
        identity={
            "family_name": "Dupont-Martin",
            "given_names": "Élodie",
            "birth_date": datetime.date(1990, 1, 31),
        },
    )
    proposal.refresh_from_db()
    (tag,) = proposal.tags.values()
    assert len(tag) == 64
    stored = str(list(BanProposal.objects.values()))
    assert "Dupont" not in stored
    assert "1990" not in stored.replace(str(proposal.created_at.year), "")


def test_the_same_moderator_approving_through_the_page_is_refused(
    moderator_client, moderator, report
):
    proposal = services.ban_propose(moderator=moderator, report_id=report.pk)
    response = moderator_client.post(
        reverse("moderation:ban_detail", args=[proposal.pk]), {"decision": "approve"}
    )
    assert response.status_code == 200
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_a_second_moderator_approves_through_the_page(
    client, moderator, second_moderator, report
):
    proposal = services.ban_propose(moderator=moderator, report_id=report.pk)
    sign_in(client, second_moderator, second_factor=True)
    response = client.post(
        reverse("moderation:ban_detail", args=[proposal.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=report.reported_id).status == User.Status.BANNED


def test_rejecting_a_ban_leaves_her_a_member(moderator, second_moderator, report):
    proposal = services.ban_propose(moderator=moderator, report_id=report.pk)
    services.ban_reject(moderator=second_moderator, proposal_id=proposal.pk)
    assert User.objects.get(pk=report.reported_id).status == User.Status.MEMBER


def test_missing_things_are_not_found(moderator):
    with pytest.raises(NotFound):
        services.report_dismiss(moderator=moderator, report_id=999)
    with pytest.raises(NotFound):
        services.ban_approve(moderator=moderator, proposal_id=999)


def test_an_approved_ban_puts_its_tags_on_the_ban_list_verification_checks(
    moderator, second_moderator, report
):
    import datetime

    from django.conf import settings

    from sorority.verification.identity import all_tags
    from sorority.verification.models import BanEntry
    from sorority.verification.selectors import identity_matches

    proposal = services.ban_propose(moderator=moderator, report_id=report.pk)
    identity = {
        "family_name": "Dupont-Martin",
        "given_names": "Élodie",
        "birth_date": datetime.date(1990, 1, 31),
    }
    services.ban_approve(
        moderator=second_moderator, proposal_id=proposal.pk, identity=identity
    )
    entry = BanEntry.objects.get()
    assert entry.created_by == moderator
    assert entry.approved_by == second_moderator
    # The same person, typed differently at a later verification, matches.
    tags = all_tags(
        family_name="DUPONT MARTIN",
        given_names="elodie",
        birth_date=datetime.date(1990, 1, 31),
        keyring=settings.IDENTITY_TAG_KEYS,
    )
    assert identity_matches(tags)


# --- the report page's action form ---------------------------------------------------


def test_the_report_page_offers_each_action_as_a_labelled_radio(
    moderator_client, report
):
    response = moderator_client.get(
        reverse("moderation:report_detail", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    )
    html = response.content.decode()
    for index, value in enumerate(["dismiss", "warn", "suspend", "propose_ban"]):
        assert f'type="radio" name="action" value="{value}"' in html
        assert f'for="id_action_{index}"' in html
    assert "<option" not in html.split('id="report-action"')[1].split("</form>")[0]


def test_applying_nothing_shows_an_error_summary_and_changes_nothing(
    moderator_client, report
):
    response = moderator_client.post(
        reverse("moderation:report_detail", args=[report.pk]),
        {"note": "x"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert 'href="#id_action_0">Choisissez une mesure.' in html
    assert Report.objects.get().status == "open"


def test_a_suspension_from_the_page_uses_the_days_given(moderator_client, report):
    response = moderator_client.post(
        reverse("moderation:report_detail", args=[report.pk]),
        {"action": "suspend", "days": "3"},
    )
    assert response.status_code == 302
    suspension = Suspension.objects.get()
    assert (suspension.until - suspension.created_at).days in (2, 3)
    assert not User.objects.get(pk=report.reported_id).is_active


@pytest.mark.parametrize("days", ["", "0", "366", "abc"])
def test_a_suspension_without_valid_days_is_refused_beside_the_field(
    moderator_client, report, days
):
    response = moderator_client.post(
        reverse("moderation:report_detail", args=[report.pk]),
        {"action": "suspend", "days": days},
    )
    assert response.status_code == 200
    assert 'id="id_days-error"' in response.content.decode()
    assert not Suspension.objects.exists()
    assert Report.objects.get().status == "open"
