"""Demo seeding and personal data (export and erasure)."""

import pytest
from django.test import Client

from conftest import sign_in
from sorority.accounts.models import User
from sorority.accounts.tests.factories import UserFactory
from sorority.core.demo import DemoContext
from sorority.core.personal_data import covered_models, registered
from sorority.verification import vault
from sorority.verification.models import (
    AuditEntry,
    EvidenceDocument,
    VerificationRequest,
)
from sorority.verification.tests.conftest import submit_via_api

pytestmark = pytest.mark.django_db


def test_demo_gives_the_pending_applicant_a_waiting_submission_idempotently():
    from sorority.verification.demo import seed

    user = UserFactory(status=User.Status.PENDING)
    ctx = DemoContext(people={"applicant_pending": user})
    seed(ctx)
    seed(ctx)
    case = VerificationRequest.objects.get(user=user)
    assert case.state == "submitted"
    assert case.documents.count() == 5
    user.refresh_from_db()
    assert user.status == "pending"


def test_every_model_about_a_person_is_registered():
    labels = covered_models()
    for model in ("VerificationChallenge", "VerificationRequest", "EvidenceDocument", "DeletionReceipt"):
        assert f"verification.{model}" in labels


def _entry():
    return next(entry for entry in registered() if entry.app_label == "verification")


def test_export_has_her_history_and_deletion_receipts(django_capture_on_commit_callbacks):
    user = UserFactory(status=User.Status.APPLICANT)
    client = sign_in(Client(), user)
    submit_via_api(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/api/v1/verification/withdraw")
    data = _entry().export(user)
    assert data["verifications"][0]["state"] == "withdrawn"
    assert data["deletion_receipts"][0]["documents"] == 5
    assert "wrapped_dek" not in str(data)


def test_erasure_withdraws_and_purges_pending_cases_and_keeps_the_audit():
    user = UserFactory(status=User.Status.APPLICANT)
    submit_via_api(sign_in(Client(), user))
    audit_rows = AuditEntry.objects.count()
    _entry().erase(user)
    case = VerificationRequest.objects.get(user=user)
    assert case.state == "withdrawn"
    assert not EvidenceDocument.objects.exists()
    assert vault.request_folders() == []
    assert AuditEntry.objects.count() > audit_rows
    user.delete()
    assert AuditEntry.objects.count() > audit_rows
