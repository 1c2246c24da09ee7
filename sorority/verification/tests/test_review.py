"""Moderator review: claim, audited viewing, decisions, matches, bans, expiry, reconciliation."""

import datetime
import logging
import sys
import types

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from conftest import as_second_factor_session, sign_in
from sorority.accounts.models import RoleAssignment, User
from sorority.accounts.tests.factories import UserFactory
from sorority.core.errors import AccessDenied, Conflict
from sorority.verification import services, vault
from sorority.verification.audit import verify_chain
from sorority.verification.identity import all_tags
from sorority.verification.models import (
    AuditEntry,
    BanEntry,
    DeletionReceipt,
    EvidenceDocument,
    VerificationRequest,
)
from sorority.verification.selectors import identity_matches
from sorority.verification.tests.conftest import submit_via_api

pytestmark = pytest.mark.django_db

BASE = "/api/v1/moderation/verifications"
CHECKLIST = dict.fromkeys(services.CHECKLIST, True)
IDENTITY = {"family_name": "Dupont-Martin", "given_names": "Élodie", "birth_date": "1990-01-31"}


def second_moderator() -> User:
    from allauth.mfa.totp.internal.auth import TOTP

    user = UserFactory(status=User.Status.MEMBER)
    RoleAssignment.objects.create(user=user, role=RoleAssignment.Role.MODERATOR)
    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return as_second_factor_session(user)


@pytest.fixture
def case(applicant_web) -> VerificationRequest:
    assert submit_via_api(applicant_web).status_code == 201
    return VerificationRequest.objects.get()


@pytest.fixture
def claimed(case, moderator_client) -> VerificationRequest:
    assert moderator_client.post(f"{BASE}/{case.pk}/claim").status_code == 200
    case.refresh_from_db()
    return case


def decide(client, case, **body):
    payload = {"decision": "approve", "checklist": CHECKLIST, **IDENTITY} | body
    return client.post(f"{BASE}/{case.pk}/decision", payload, content_type="application/json")


def test_queue_is_oldest_first_with_pseudonyms(applicant_web, moderator_client):
    submit_via_api(applicant_web)
    later = sign_in(Client(), UserFactory(status=User.Status.APPLICANT, display_name="Zoé"))
    submit_via_api(later)
    rows = moderator_client.get(BASE).json()
    assert [row["display_name"] for row in rows][-1] == "Zoé"
    assert rows[0]["submitted_at"] <= rows[1]["submitted_at"]
    assert set(rows[0]) >= {"id", "submitted_at", "display_name", "claimed_by"}


def test_one_assignee_only(claimed, moderator, client):
    other = sign_in(client, second_moderator(), second_factor=True)
    response = other.post(f"{BASE}/{claimed.pk}/claim")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_claimed"
    claimed.refresh_from_db()
    assert claimed.assignee == moderator


def test_non_assignee_view_and_decision_get_403_and_an_audit_row(claimed, client):
    intruder = second_moderator()
    other = sign_in(client, intruder, second_factor=True)
    for response in (
        other.get(f"{BASE}/{claimed.pk}/documents/selfie_1"),
        decide(other, claimed),
        other.get(f"{BASE}/{claimed.pk}"),
    ):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "not_assignee"
    refused = AuditEntry.objects.filter(kind="access_refused", actor_id=intruder.pk)
    assert refused.count() == 3
    claimed.refresh_from_db()
    assert claimed.state == "in_review"


def test_unclaimed_case_documents_are_refused_to_everyone(case, moderator_client):
    response = moderator_client.get(f"{BASE}/{case.pk}/documents/selfie_1")
    assert response.status_code == 403


def test_document_view_is_audited_with_sandbox_headers(claimed, moderator, moderator_client):
    response = moderator_client.get(f"{BASE}/{claimed.pk}/documents/id_front")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'inline; filename="document.jpg"'
    assert response["Content-Security-Policy"] == "sandbox"
    assert response.content.startswith(b"\xff\xd8\xff")
    row = AuditEntry.objects.get(kind="document_viewed")
    assert row.actor_id == moderator.pk
    assert row.data == {"document": "id_front"}


def test_unknown_document_and_forged_ids_are_404(claimed, moderator_client):
    assert moderator_client.get(f"{BASE}/{claimed.pk}/documents/passport").status_code == 404
    assert moderator_client.get(f"{BASE}/not-a-uuid").status_code == 404
    forged = "0c8f8f4e-0000-4000-8000-000000000000"
    assert moderator_client.get(f"{BASE}/{forged}").status_code == 404
    assert moderator_client.post(f"{BASE}/{forged}/claim").status_code == 404
    assert decide(moderator_client, type("C", (), {"pk": forged})).status_code == 404


def test_stale_authentication_requires_reauthentication(claimed, moderator_client, time_machine):
    # Active all along (no idle sign-out), but signed in more than 15 minutes ago.
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=10))
    assert moderator_client.get(BASE).status_code == 200
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=6))
    for path in (f"{BASE}/{claimed.pk}", f"{BASE}/{claimed.pk}/documents/selfie_1"):
        response = moderator_client.get(path)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "reauthentication_required"


def test_detail_lists_documents_and_the_instruction(claimed, moderator_client):
    data = moderator_client.get(f"{BASE}/{claimed.pk}").json()
    assert data["documents"] == ["id_back", "id_front", "selfie_1", "selfie_2", "selfie_3"]
    assert claimed.challenge.code in data["instruction"]


@pytest.mark.parametrize("missing", services.CHECKLIST)
def test_decision_without_the_full_checklist_is_400(claimed, moderator_client, missing):
    checklist = {k: v for k, v in CHECKLIST.items() if k != missing}
    response = decide(moderator_client, claimed, checklist=checklist)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "checklist_incomplete"
    claimed.refresh_from_db()
    assert claimed.state == "in_review"


def test_approval_needs_every_item_met_and_a_transcription(claimed, moderator_client):
    response = decide(moderator_client, claimed, checklist=CHECKLIST | {"same_person": False})
    assert response.json()["error"]["code"] == "checklist_incomplete"
    response = decide(moderator_client, claimed, birth_date=None)
    assert response.json()["error"]["code"] == "transcription_required"


def test_refusal_needs_a_reason_code(claimed, moderator_client):
    response = decide(moderator_client, claimed, decision="refuse", reason="sex_marker")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "reason_required"


def test_approve_makes_her_a_member_and_destroys_the_documents(
    claimed, moderator_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(moderator_client, claimed)
    assert response.status_code == 200
    assert response.json() == {"outcome": "approved", "warnings": []}
    claimed.refresh_from_db()
    claimed.user.refresh_from_db()
    assert claimed.user.status == "member"
    assert claimed.wrapped_dek is None
    assert not EvidenceDocument.objects.exists()
    assert vault.request_folders() == []
    assert moderator_client.get(f"{BASE}/{claimed.pk}/documents/selfie_1").status_code == 404
    purge = AuditEntry.objects.get(kind="purged")
    assert len(purge.data["objects"]) == len(purge.data["sha256"]) == 5
    assert purge.data["key_version"] == 1
    assert DeletionReceipt.objects.get().documents == 5
    assert verify_chain() is None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    for word in ("Élodie", "Dupont", "verif", "approved", "selfie"):
        assert word.lower() not in (message.subject + message.body).lower()


def test_refuse_sets_refused_with_a_reason(claimed, moderator_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(moderator_client, claimed, decision="refuse", reason="document_not_physical")
    assert response.json()["outcome"] == "rejected"
    claimed.user.refresh_from_db()
    assert claimed.user.status == "refused"
    status = Client()
    sign_in(status, claimed.user)
    assert status.get("/api/v1/verification").json()["status"] == "refused"
    assert status.get("/api/v1/verification").json()["reason"] == "document_not_physical"


def test_resubmission_is_capped_at_three_then_limit_reached(
    claimed, applicant_web, moderator_client, django_capture_on_commit_callbacks
):
    case = claimed
    for attempt in range(1, 4):
        with django_capture_on_commit_callbacks(execute=True):
            response = decide(moderator_client, case, decision="resubmit", reason="blurry")
        assert response.json()["outcome"] == "revision_requested"
        case.refresh_from_db()
        assert case.revision_count == attempt
        assert applicant_web.get("/api/v1/verification").json()["status"] == "resubmit"
        assert not EvidenceDocument.objects.exists()
        assert submit_via_api(applicant_web).status_code == 201
        assert moderator_client.post(f"{BASE}/{case.pk}/claim").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(moderator_client, case, decision="resubmit", reason="blurry")
    assert response.json()["outcome"] == "rejected"
    case.refresh_from_db()
    assert case.reason == "limit_reached"
    assert applicant_web.get("/api/v1/verification").json() == {
        "status": "refused", "reason": "limit_reached",
        "receipts": applicant_web.get("/api/v1/verification").json()["receipts"],
        "expected_wait_hours": None,
    }
    assert DeletionReceipt.objects.count() == 4


def test_ban_needs_a_second_different_moderator(moderator):
    entry = services.ban_entry_propose(
        actor=moderator, reason_category="violence",
        family_name="Durand", given_names="Marc", birth_date=datetime.date(1980, 5, 6),
    )
    tags = all_tags(family_name="durand", given_names="MARC", birth_date=datetime.date(1980, 5, 6),
                    keyring={1: __import__("django.conf").conf.settings.IDENTITY_TAG_KEYS[1]})
    assert identity_matches(tags) == []  # not active before approval
    with pytest.raises(Conflict):
        services.ban_entry_approve(entry=entry, actor=moderator)
    member = UserFactory(status=User.Status.MEMBER)
    with pytest.raises(AccessDenied):
        services.ban_entry_approve(entry=entry, actor=member)
    services.ban_entry_approve(entry=entry, actor=second_moderator())
    assert identity_matches(tags) == ["ban_list:violence"]
    stored = BanEntry.objects.get()
    assert "durand" not in str(vars(stored)).lower()


def test_refusal_never_creates_an_active_ban_by_itself(
    claimed, moderator_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decide(moderator_client, claimed, decision="refuse", reason="suspected_impersonation",
               ban_category="impersonation")
    entry = BanEntry.objects.get()
    assert entry.approved_by is None


def test_ban_match_warns_and_needs_a_second_moderator_to_approve(
    claimed, moderator, moderator_client, client, django_capture_on_commit_callbacks
):
    entry = services.ban_entry_propose(
        actor=moderator, reason_category="impersonation",
        family_name=IDENTITY["family_name"], given_names=IDENTITY["given_names"],
        birth_date=datetime.date(1990, 1, 31),
    )
    services.ban_entry_approve(entry=entry, actor=second_moderator())
    response = decide(moderator_client, claimed, family_name="dupont martin", given_names="elodie")
    assert response.status_code == 200
    assert response.json()["outcome"] == "senior_review"
    assert "possible_match" in response.json()["warnings"]
    assert "ban_list:impersonation" in response.json()["warnings"]
    claimed.refresh_from_db()
    assert claimed.state == "submitted"
    assert claimed.possible_match
    assert claimed.documents.count() == 5  # nothing decided, nothing destroyed
    senior = sign_in(client, second_moderator(), second_factor=True)
    assert senior.post(f"{BASE}/{claimed.pk}/claim").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(senior, claimed)
    assert response.json()["outcome"] == "approved"
    assert "possible_match" in response.json()["warnings"]


def test_abuser_flag_match_shows_a_warning_without_the_flagger(
    claimed, moderator_client, monkeypatch, django_capture_on_commit_callbacks
):
    seen = {}

    def flag_matches(tags):
        seen["tags"] = tags
        return True

    module = types.ModuleType("sorority.privacy.selectors")
    module.flag_matches = flag_matches
    monkeypatch.setitem(sys.modules, "sorority.privacy.selectors", module)
    import sorority.privacy

    monkeypatch.setattr(sorority.privacy, "selectors", module, raising=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(moderator_client, claimed, decision="refuse", reason="blurry")
    warnings = response.json()["warnings"]
    assert warnings == ["possible_match", "watch_flag"]
    assert set(seen["tags"]) == {1}
    assert all(len(tag) == 64 for tag in seen["tags"].values())


def test_a_real_abuser_flag_routes_approval_to_a_second_moderator(
    claimed, member, moderator_client, settings
):
    privacy = pytest.importorskip("sorority.privacy.services")
    if not hasattr(privacy, "abuser_flag_create"):
        pytest.skip("abuser flags not available")
    settings.ABUSER_FLAGS_ENABLED = True
    privacy.abuser_flag_create(
        member=member, family_name="Dupont Martin", given_names="elodie",
        birth_date=datetime.date(1990, 1, 31),
    )
    response = decide(moderator_client, claimed)
    body = response.json()
    assert body["outcome"] == "senior_review"
    assert body["warnings"] == ["possible_match", "watch_flag"]
    assert str(member.pk) not in str(body)
    assert member.display_name not in str(body)


def test_transcribed_identity_is_not_kept(
    claimed, moderator_client, django_capture_on_commit_callbacks, caplog
):
    import io

    from django.core.management import call_command

    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        decide(moderator_client, claimed, family_name="Quixotlantisz", given_names="Wendeline")
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert "Quixotlantisz" not in dump.getvalue()
    assert "Quixotlantisz" not in caplog.text


def test_withdrawal_destroys_the_documents(applicant_web, case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = applicant_web.post("/api/v1/verification/withdraw")
    assert response.status_code == 200
    assert response.json()["status"] == "none"
    case.refresh_from_db()
    assert case.state == "withdrawn"
    assert not EvidenceDocument.objects.exists()
    assert vault.request_folders() == []


def test_drafts_expire_after_24_hours(applicant_web, time_machine, django_capture_on_commit_callbacks):
    applicant_web.post("/api/v1/verification/challenge")
    time_machine.move_to(timezone.now() + datetime.timedelta(hours=23))
    assert services.verifications_expire() == 0
    time_machine.move_to(timezone.now() + datetime.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.verifications_expire() == 1
    assert VerificationRequest.objects.get().state == "expired"


def test_undecided_submissions_expire_after_the_retention_period(
    case, settings, time_machine, django_capture_on_commit_callbacks
):
    settings.VERIFICATION_RETENTION_DAYS = 30
    time_machine.move_to(timezone.now() + datetime.timedelta(days=29))
    assert services.verifications_expire() == 0
    time_machine.move_to(timezone.now() + datetime.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.verifications_expire() == 1
    case.refresh_from_db()
    case.user.refresh_from_db()
    assert case.state == "expired"
    assert case.user.status == "applicant"
    assert not EvidenceDocument.objects.exists()
    assert vault.request_folders() == []
    assert DeletionReceipt.objects.filter(user=case.user).exists()


def test_reconciliation_purges_orphans_and_leftovers_with_an_alert(case, caplog):
    from django.core.files.base import ContentFile

    orphan = vault.storage().save("verification/not-a-case/stray.bin", ContentFile(b"x" * 10))
    stray = vault.storage().save(f"verification/{case.pk}/stray.bin", ContentFile(b"y"))
    VerificationRequest.objects.filter(pk=case.pk).update(state="rejected")
    caplog.set_level(logging.ERROR)
    services.vault_reconcile(grace=datetime.timedelta(0))
    assert not vault.storage().exists(orphan)
    assert not vault.storage().exists(stray)
    assert vault.request_folders() == []
    assert not EvidenceDocument.objects.exists()
    assert VerificationRequest.objects.get().wrapped_dek is None
    assert "ALERT" in caplog.text
    assert AuditEntry.objects.filter(kind="reconciled").count() == 2


def test_reconciliation_leaves_live_cases_alone(case):
    services.vault_reconcile(grace=datetime.timedelta(0))
    assert EvidenceDocument.objects.count() == 5
    for doc in EvidenceDocument.objects.all():
        assert vault.storage().exists(doc.storage_name)


def test_scheduled_jobs_are_registered():
    from sorority.verification.jobs import JOBS

    assert {job.name for job in JOBS} == {"verification_expire", "verification_reconcile"}


@pytest.mark.parametrize(
    "body",
    [
        {"decision": "maybe"},
        {"ban_category": "gender", "decision": "refuse", "reason": "blurry"},
        {"birth_date": "31/01/1990"},
        {"family_name": "x" * 151},
        {"checklist": "all good"},
    ],
)
def test_malformed_decisions_are_400_never_500(claimed, moderator_client, body):
    response = decide(moderator_client, claimed, **body)
    assert response.status_code == 400
    claimed.refresh_from_db()
    assert claimed.state == "in_review"


def test_ban_entry_cannot_last_more_than_five_years(moderator):
    from sorority.core.errors import ApplicationError

    with pytest.raises(ApplicationError):
        services.ban_entry_propose(
            actor=moderator, reason_category="violence", family_name="Durand",
            expires_at=timezone.now() + datetime.timedelta(days=6 * 365),
        )


def test_a_tampered_object_is_a_clear_409_not_a_500(claimed, moderator_client):
    doc = claimed.documents.get(kind="selfie_2")
    path = vault.storage().path(doc.storage_name)
    with open(path, "r+b") as handle:
        handle.seek(20)
        handle.write(b"\x00\x01\x02")
    response = moderator_client.get(f"{BASE}/{claimed.pk}/documents/selfie_2")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "document_unreadable"
