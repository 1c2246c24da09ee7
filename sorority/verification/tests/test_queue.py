"""The queue measured, surge mode, "I know this person" and the random second review."""

import datetime

import pytest
from django.core import mail
from django.test import Client

from conftest import sign_in
from sorority.accounts.models import RoleAssignment, User
from sorority.accounts.tests.factories import UserFactory
from sorority.verification import services
from sorority.verification.models import (
    AuditEntry,
    EvidenceDocument,
    SurgeEpisode,
    VerificationRequest,
)
from sorority.verification.tests.conftest import submit_via_api
from sorority.verification.tests.test_review import BASE, decide, second_moderator

pytestmark = pytest.mark.django_db

STATS = f"{BASE}/stats"
NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


def applicant(name: str = "") -> tuple[User, Client]:
    person = UserFactory(
        status=User.Status.APPLICANT, display_name=name or "Applicante"
    )
    return person, sign_in(Client(), person)


def submitted(name: str = "") -> tuple[VerificationRequest, Client]:
    person, web = applicant(name)
    assert submit_via_api(web).status_code == 201, web
    return VerificationRequest.objects.get(user=person), web


def moderator_web(user: User | None = None) -> tuple[User, Client]:
    user = user or second_moderator()
    return user, sign_in(Client(), user, second_factor=True)


def claim(client: Client, case: VerificationRequest):
    return client.post(f"{BASE}/{case.pk}/claim")


# --------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------


def test_statistics_are_for_moderators_with_the_second_factor(moderator, member_client):
    without_factor = sign_in(
        Client(), moderator
    )  # the role, but no factor this session
    for client in (without_factor, member_client):
        assert client.get(STATS).status_code in (401, 403)
        assert client.get("/verification/moderation/stats/").status_code in (
            302,
            403,
            404,
        )
    _mod, web = moderator_web()
    assert web.get(STATS).status_code == 200
    assert web.get("/verification/moderation/stats/").status_code == 200


def test_a_bad_window_is_a_clear_400():
    _mod, web = moderator_web()
    for value in ("3", "abc", "-7", "99999999999999999999"):
        response = web.get(f"{STATS}?days={value}")
        assert response.status_code == 400, value
        assert response.json()["error"]["fields"] == {"days": ["7 or 30"]}
        assert (
            web.get(f"/verification/moderation/stats/?days={value}").status_code == 400
        )


def test_the_queue_measured_over_a_window(
    time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW, tick=False)
    alice, bea = second_moderator(), second_moderator()
    User.objects.filter(pk=alice.pk).update(display_name="Alice")
    User.objects.filter(pk=bea.pk).update(display_name="Béa")

    def web(user: User) -> Client:  # a fresh session: moderators idle out after 15 min
        return moderator_web(user)[1]

    first, _ = submitted("Mireille Secret")  # t0
    time_machine.shift(datetime.timedelta(hours=10))
    second, _ = submitted("Odile Secret")  # t0 + 10 h
    time_machine.shift(datetime.timedelta(hours=2))
    third, _ = submitted("Paule Secret")  # t0 + 12 h
    time_machine.shift(datetime.timedelta(hours=28))  # t0 + 40 h
    alice_web, bea_web = web(alice), web(bea)
    with django_capture_on_commit_callbacks(execute=True):
        assert claim(alice_web, first).status_code == 200
        time_machine.shift(datetime.timedelta(seconds=40))
        assert decide(alice_web, first).json()["outcome"] == "approved"
        assert claim(bea_web, second).status_code == 200
        time_machine.shift(datetime.timedelta(seconds=80))
        assert (
            decide(bea_web, second, decision="resubmit", reason="blurry").status_code
            == 200
        )
    # She takes her photos again: a resubmission, refused the next day.
    assert submit_via_api(sign_in(Client(), second.user)).status_code == 201
    time_machine.shift(datetime.timedelta(hours=24))
    bea_web = web(bea)
    with django_capture_on_commit_callbacks(execute=True):
        assert claim(bea_web, second).status_code == 200
        time_machine.shift(datetime.timedelta(seconds=60))
        response = decide(bea_web, second, decision="refuse", reason="face_mismatch")
        assert response.json()["outcome"] == "rejected"
    # A fourth case waits: `third` (since t0 + 12 h) and it are the queue.
    fourth, _ = submitted("Rose Secret")
    time_machine.shift(datetime.timedelta(hours=2))
    alice_web = web(alice)

    body = alice_web.get(f"{STATS}?days=7").json()
    assert body["days"] == 7
    waiting = body["waiting"]
    assert waiting["count"] == 2
    assert waiting["max_hours"] == pytest.approx(
        54.0, abs=0.1
    )  # third, since t0 + 12 h
    assert waiting["median_hours"] == pytest.approx(2.0, abs=0.1)  # nearest rank
    assert waiting["buckets"] == {"under_24h": 1, "24h_to_72h": 1, "over_72h": 0}
    assert body["decisions"] == 3
    assert body["time_per_decision"]["median_seconds"] == 60
    assert body["time_per_decision"]["p95_seconds"] == 80
    assert body["resubmission_share"] == pytest.approx(1 / 3, abs=0.001)
    assert {(r["reason"], r["count"]) for r in body["refusals"]} == {
        ("blurry", 1),
        ("face_mismatch", 1),
    }
    by_name = {row["moderator"]: row for row in body["moderators"]}
    assert by_name["Alice"]["decisions"] == 1
    assert by_name["Béa"]["decisions"] == 2
    assert by_name["Béa"]["days"] == [
        {"date": "2026-11-04", "decisions": 1},
        {"date": "2026-11-05", "decisions": 1},
    ]
    assert by_name["Alice"]["median_seconds"] == 40
    # No applicant appears anywhere: no name, no id.
    page = alice_web.get("/verification/moderation/stats/?days=7").content.decode()
    raw = str(body) + page
    for person in (first, second, third, fourth):
        assert "Secret" not in raw
        assert str(person.pk) not in raw
    assert "Béa" in page
    assert "Temps médian par décision" in page
    # Thirty days later the 7-day window is empty but the 30-day one is not.
    time_machine.shift(datetime.timedelta(days=8))
    alice_web = web(alice)
    assert alice_web.get(f"{STATS}?days=7").json()["decisions"] == 0
    assert alice_web.get(f"{STATS}?days=30").json()["decisions"] == 3


def _decided_cases(count: int, moderator_client: Client, capture) -> None:
    for _ in range(count):
        case, _web = submitted()
        with capture(execute=True):
            assert claim(moderator_client, case).status_code == 200
            assert (
                decide(
                    moderator_client, case, decision="refuse", reason="blurry"
                ).status_code
                == 200
            )
        submitted()


def test_statistics_run_a_fixed_number_of_queries(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    from sorority.verification.statistics import queue_statistics

    _moderator, web = moderator_web()
    _decided_cases(1, web, django_capture_on_commit_callbacks)
    with django_assert_num_queries(6):
        small = queue_statistics(days=30)
    _decided_cases(4, web, django_capture_on_commit_callbacks)
    _other, other_web = moderator_web()
    _decided_cases(2, other_web, django_capture_on_commit_callbacks)
    with django_assert_num_queries(6):
        large = queue_statistics(days=30)
    assert (small["decisions"], large["decisions"]) == (1, 7)
    assert len(large["moderators"]) == 2


# --------------------------------------------------------------------------
# Expected wait and surge mode
# --------------------------------------------------------------------------


def test_the_expected_wait_comes_from_the_measured_rate(
    time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW, tick=False)
    _mod, web = moderator_web()
    _first, first_web = submitted()
    # No decision in seven days: nothing honest to say.
    assert first_web.get("/api/v1/verification").json()["expected_wait_hours"] is None
    page = first_web.get("/verification/status/").content.decode()
    assert "Nous ne pouvons pas estimer" in page
    for _ in range(2):  # two decisions over the last 7 days: 2 / 168 per hour
        done, _ = submitted()
        with django_capture_on_commit_callbacks(execute=True):
            claim(web, done)
            decide(web, done, decision="refuse", reason="blurry")
    time_machine.shift(datetime.timedelta(minutes=5))
    second, second_web = submitted()
    assert first_web.get("/api/v1/verification").json()["expected_wait_hours"] == 84.0
    assert second_web.get("/api/v1/verification").json()["expected_wait_hours"] == 168.0
    page = second_web.get("/verification/status/").content.decode()
    assert "Attente estimée : environ 7 jours." in page
    assert "Attente estimée" in second_web.get("/me/status/").content.decode()
    # After eight days without decisions the rate is zero again.
    time_machine.shift(datetime.timedelta(days=8))
    second_web = sign_in(Client(), second.user)
    assert second_web.get("/api/v1/verification").json()["expected_wait_hours"] is None


def test_surge_asks_every_moderator_once_and_contents_free(
    settings, moderator, django_capture_on_commit_callbacks
):
    settings.VERIFICATION_SURGE_THRESHOLD = 3
    other = second_moderator()
    not_a_member = UserFactory(status=User.Status.REFUSED)
    RoleAssignment.objects.create(user=not_a_member, role=RoleAssignment.Role.MODERATOR)
    with django_capture_on_commit_callbacks(execute=True):
        submitted("Alix Secret")
        submitted("Bérénice Secret")
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        _third, _ = submitted("Carla Secret")
    helpers = sorted(message.to[0] for message in mail.outbox)
    assert helpers == sorted([moderator.email, other.email])
    for message in mail.outbox:
        assert "Secret" not in message.subject + message.body
        assert "3" not in message.subject + message.body
        assert "vérification" not in (message.subject + message.body).lower()
    with django_capture_on_commit_callbacks(execute=True):
        submitted("Dora Secret")  # still the same surge: nobody asked twice
    assert len(mail.outbox) == 2
    assert SurgeEpisode.objects.filter(ended_at__isnull=True).count() == 1
    # Decisions bring it under the threshold: the surge ends; a new one asks again.
    _mod, web = moderator_web(other)
    for case in VerificationRequest.objects.filter(state="submitted")[:2]:
        with django_capture_on_commit_callbacks(execute=True):
            claim(web, case)
            decide(web, case, decision="refuse", reason="blurry")
    assert SurgeEpisode.objects.filter(ended_at__isnull=True).count() == 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submitted()
    assert len(mail.outbox) == 2


def test_a_rate_rule_also_starts_a_surge(
    settings, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW, tick=False)
    settings.VERIFICATION_SURGE_MIN_QUEUE = 3
    _mod, web = moderator_web()
    done, _ = submitted()
    with django_capture_on_commit_callbacks(execute=True):
        claim(web, done)
        decide(web, done, decision="refuse", reason="blurry")
    submitted()
    submitted()
    assert web.get(STATS).json()["surge"]["active"] is False  # two waiting: not yet
    with django_capture_on_commit_callbacks(execute=True):
        submitted()  # three waiting at 1 decision a week: 504 h > 24 h
    body = web.get(STATS).json()["surge"]
    assert body == {
        "active": True,
        "pending": 3,
        "threshold": 500,
        "expected_wait_hours": 504.0,
    }
    assert SurgeEpisode.objects.filter(ended_at__isnull=True).exists()


def test_in_surge_resubmissions_come_first_then_the_longest_waits(
    settings, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW, tick=False)
    _mod, web = moderator_web()
    oldest, _ = submitted()
    time_machine.shift(datetime.timedelta(hours=1))
    back, back_web = submitted()
    with django_capture_on_commit_callbacks(execute=True):
        claim(web, back)
        decide(web, back, decision="resubmit", reason="blurry")
    time_machine.shift(datetime.timedelta(hours=1))
    newest, _ = submitted()
    time_machine.shift(datetime.timedelta(hours=1))
    assert submit_via_api(back_web).status_code == 201  # resubmitted last
    _mod, web = moderator_web(_mod)
    ids = [row["id"] for row in web.get(BASE).json()]
    assert ids == [str(oldest.pk), str(newest.pk), str(back.pk)]  # normal: oldest first
    settings.VERIFICATION_SURGE_THRESHOLD = 3
    ids = [row["id"] for row in web.get(BASE).json()]
    assert ids == [str(back.pk), str(oldest.pk), str(newest.pk)]
    assert "Afflux" in web.get("/verification/moderation/").content.decode()
    status_page = back_web.get("/verification/status/").content.decode()
    assert "Beaucoup de personnes s'inscrivent en ce moment" in status_page
    next_case = web.post(f"{BASE}/next")
    assert next_case.status_code == 200
    assert next_case.json()["id"] == str(back.pk)


def test_in_surge_nothing_about_safety_is_relaxed(
    settings, moderator, django_capture_on_commit_callbacks
):
    settings.VERIFICATION_SURGE_THRESHOLD = 1
    with django_capture_on_commit_callbacks(execute=True):
        case, _ = submitted()
    assert SurgeEpisode.objects.filter(ended_at__isnull=True).exists()
    _first, first_web = moderator_web()
    _second, second_web = moderator_web()
    no_factor = sign_in(Client(), moderator)  # the role without the factor
    # Still the second factor.
    assert no_factor.post(f"{BASE}/{case.pk}/claim").status_code in (401, 403)
    assert no_factor.post(f"{BASE}/next").status_code in (401, 403)
    assert no_factor.get(BASE).status_code in (401, 403)
    # Still one assignee.
    assert claim(first_web, case).status_code == 200
    response = claim(second_web, case)
    assert response.status_code == 409
    assert second_web.post(f"{BASE}/next").status_code == 404
    assert second_web.get(f"{BASE}/{case.pk}/documents/selfie_1").status_code == 403
    assert decide(second_web, case).status_code == 403
    # Still destruction at the decision.
    assert EvidenceDocument.objects.filter(request=case).count() == 5
    with django_capture_on_commit_callbacks(execute=True):
        assert decide(first_web, case).json()["outcome"] == "approved"
    case.refresh_from_db()
    assert not EvidenceDocument.objects.filter(request=case).exists()
    assert case.wrapped_dek is None


# --------------------------------------------------------------------------
# "I know this person"
# --------------------------------------------------------------------------


def test_i_know_this_person_hands_it_back_for_good():
    case, _ = submitted("Connue Secret")
    other_case, _ = submitted()
    knows, web = moderator_web()
    _other, other_web = moderator_web()
    assert claim(web, case).status_code == 200
    # Someone else cannot hand it back for her.
    assert (
        other_web.post(f"/verification/moderation/{case.pk}/recuse/").status_code == 302
    )
    case.refresh_from_db()
    assert case.assignee_id == knows.pk
    response = web.post(f"/verification/moderation/{case.pk}/recuse/")
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.assignee_id) == ("submitted", None)
    entry = AuditEntry.objects.filter(kind="recused").get()
    assert (entry.actor_id, entry.request_id, entry.subject_id) == (
        knows.pk,
        case.pk,
        None,
    )
    assert "Secret" not in str(entry.data)
    # Never offered again: not listed, not claimed directly, skipped by claim-next.
    assert str(case.pk) not in [row["id"] for row in web.get(BASE).json()]
    assert "Connue" not in web.get("/verification/moderation/").content.decode()
    refused = claim(web, case)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "recused"
    assert web.post(f"{BASE}/next").json()["id"] == str(other_case.pk)
    assert (
        web.post(f"/verification/moderation/{other_case.pk}/recuse/").status_code == 302
    )
    assert web.post(f"{BASE}/next").status_code == 404
    # Another moderator still can.
    assert claim(other_web, case).status_code == 200


def test_recusal_through_the_api_and_its_refusals():
    case, _ = submitted()
    _mod, web = moderator_web()
    assert web.post(f"{BASE}/{case.pk}/recuse").status_code == 403  # not claimed
    assert web.post(f"{BASE}/not-a-uuid/recuse").status_code == 404
    claim(web, case)
    response = web.post(f"{BASE}/{case.pk}/recuse")
    assert response.status_code == 200
    assert response.json()["claimed_by"] is None


# --------------------------------------------------------------------------
# Random second review
# --------------------------------------------------------------------------


def test_a_drawn_approval_waits_for_a_second_different_moderator(
    settings, django_capture_on_commit_callbacks
):
    settings.VERIFICATION_SECOND_REVIEW_RATE = 1.0
    case, applicant_web = submitted()
    first, first_web = moderator_web()
    _second, second_web = moderator_web()
    claim(first_web, case)
    with django_capture_on_commit_callbacks(execute=True):
        assert decide(first_web, case).json()["outcome"] == "second_review"
    case.refresh_from_db()
    assert case.state == "submitted"
    assert case.second_review
    assert case.first_reviewer_id == first.pk
    # Nothing took effect and the photos are kept until the second look.
    assert case.user.status == User.Status.PENDING
    assert applicant_web.get("/api/v1/verification").json()["status"] == "pending"
    assert EvidenceDocument.objects.filter(request=case).count() == 5
    assert mail.outbox == []
    # The first moderator may not be the second one.
    assert (
        claim(first_web, case).json()["error"]["code"]
        == "second_review_other_moderator"
    )
    assert first_web.post(f"{BASE}/next").status_code == 404
    assert claim(second_web, case).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            decide(second_web, case).json()["outcome"] == "approved"
        )  # never drawn twice
    case.refresh_from_db()
    assert case.state == "approved"
    assert not EvidenceDocument.objects.filter(request=case).exists()
    stats = second_web.get(STATS).json()["second_review"]
    assert stats == {
        "requested": 1,
        "completed": 1,
        "agreed": 1,
        "overturned": 0,
        "agreement_rate": 1.0,
        "pending": 0,
    }
    page = second_web.get("/verification/moderation/stats/").content.decode()
    assert 'id="agreement-rate">100&nbsp;%' in page


def test_a_second_review_may_overturn(settings, django_capture_on_commit_callbacks):
    settings.VERIFICATION_SECOND_REVIEW_RATE = 1.0
    case, _ = submitted()
    _first, first_web = moderator_web()
    _second, second_web = moderator_web()
    claim(first_web, case)
    decide(first_web, case)
    claim(second_web, case)
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(
            second_web, case, decision="refuse", reason="document_expired"
        )
    assert response.json()["outcome"] == "rejected"
    case.refresh_from_db()
    assert case.user.status == User.Status.REFUSED
    assert not EvidenceDocument.objects.filter(request=case).exists()
    stats = second_web.get(STATS).json()["second_review"]
    assert (stats["completed"], stats["agreed"], stats["overturned"]) == (1, 0, 1)
    assert stats["agreement_rate"] == 0.0


def test_with_rate_zero_approvals_take_effect_at_once(settings):
    settings.VERIFICATION_SECOND_REVIEW_RATE = 0
    case, _ = submitted()
    _mod, web = moderator_web()
    claim(web, case)
    assert decide(web, case).json()["outcome"] == "approved"


def test_a_waiting_second_review_keeps_the_same_retention(
    settings, time_machine, django_capture_on_commit_callbacks
):
    settings.VERIFICATION_SECOND_REVIEW_RATE = 1.0
    time_machine.move_to(NOW, tick=False)
    case, _ = submitted()
    _mod, web = moderator_web()
    claim(web, case)
    time_machine.shift(datetime.timedelta(days=29))
    decide(web, case)
    time_machine.shift(datetime.timedelta(days=1, minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.verifications_expire() == 1
    case.refresh_from_db()
    assert case.state == "expired"
    assert not EvidenceDocument.objects.filter(request=case).exists()


def test_a_moderator_who_erases_her_account_leaves_anonymous_figures(
    django_capture_on_commit_callbacks,
):
    from sorority.accounts.tests.factories import PASSWORD

    case, _ = submitted()
    recused, _ = submitted()
    leaving, web = moderator_web()
    User.objects.filter(pk=leaving.pk).update(display_name="Partante")
    with django_capture_on_commit_callbacks(execute=True):
        claim(web, case)
        decide(web, case, decision="refuse", reason="blurry")
    claim(web, recused)
    web.post(f"{BASE}/{recused.pk}/recuse")
    exported = web.get("/api/v1/me/export")
    assert exported.status_code == 200
    assert '"review_decisions_made": 1' in exported.content.decode().replace(
        '":1', '": 1'
    )
    assert '"cases_recused_from": 1' in exported.content.decode().replace('":1', '": 1')
    with django_capture_on_commit_callbacks(execute=True):
        response = web.delete(
            "/api/v1/me", {"password": PASSWORD}, content_type="application/json"
        )
    assert response.status_code == 200, response.content
    _other, other_web = moderator_web()
    body = other_web.get(f"{STATS}?days=7").json()
    assert body["decisions"] == 1
    assert [row["moderator"] for row in body["moderators"]] == ["—"]
    assert "Partante" not in str(body)
