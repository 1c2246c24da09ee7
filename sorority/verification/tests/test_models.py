"""Invariants held by the models: state machine, audit chain, tag-only tables."""

import contextlib
import itertools
import math

import pytest
from django.db import connection

from sorority.core.errors import Conflict
from sorority.verification import gestures
from sorority.verification.audit import audit, verify_chain
from sorority.verification.models import (
    AuditEntry,
    BanEntry,
    ReasonCode,
    VerificationChallenge,
    VerificationRequest,
    new_nonce,
)

pytestmark = pytest.mark.django_db
TABLE = AuditEntry._meta.db_table


@contextlib.contextmanager
def bypassing_the_trigger():
    """Tamper as a database owner would (on PostgreSQL, with the trigger disabled)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER verification_audit_append_only")
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER verification_audit_append_only")

STATES = VerificationRequest.State.values
ALLOWED = {
    (source, target)
    for source, targets in VerificationRequest.TRANSITIONS.items()
    for target in targets
}


@pytest.mark.parametrize(
    ("source", "target"),
    [pair for pair in itertools.product(STATES, STATES) if pair not in ALLOWED],
)
def test_every_forbidden_transition_raises(source, target):
    case = VerificationRequest(state=source)
    with pytest.raises(Conflict):
        case.transition(target)
    assert case.state == source


@pytest.mark.parametrize(("source", "target"), sorted(ALLOWED))
def test_allowed_transitions_move_the_state(source, target):
    case = VerificationRequest(state=source)
    case.transition(target)
    assert case.state == target


def test_final_states_have_no_way_out():
    for state in VerificationRequest.FINAL_STATES:
        assert VerificationRequest.TRANSITIONS[state] == frozenset()


def test_challenge_nonce_has_at_least_128_bits_and_codes_are_unambiguous():
    nonce = new_nonce()
    assert len(nonce) * 6 >= 128
    assert len({new_nonce() for _ in range(100)}) == 100
    code = gestures.draw_code()
    assert len(code) == 6
    assert not set(code) & set("0O1IL2Z5S8B6G")


def test_pose_pool_has_at_least_fifty_poses_each_with_an_instruction():
    assert len(gestures.POSES) >= 50
    assert len(set(gestures.POSES)) == len(gestures.POSES)
    for pose in gestures.POSES:
        assert gestures.pose_text(pose)
    # Drawing is uniform over the pool: the entropy of one draw is log2(52).
    assert math.log2(len(gestures.POSES)) > 5.6


def test_reason_codes_contain_no_sex_or_gender_code():
    words = ("sex", "gender", "genre", "male", "female", "femme", "homme", "marker")
    for code, label in ReasonCode.choices:
        text = f"{code} {label}".lower()
        assert not any(word in text for word in words), code


def test_audit_log_refuses_updates_and_deletes():
    entry = audit("created", subject_id=1)
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(kind="decided")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_audit_chain_verification_detects_tampering():
    for kind in ("created", "assigned", "document_viewed", "decided", "purged"):
        audit(kind, actor_id=7, request_id=None, note=kind)
    assert verify_chain() is None
    victim = AuditEntry.objects.order_by("pk")[2]
    with bypassing_the_trigger() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET actor_id = 8 WHERE id = %s", [victim.pk])  # noqa: S608
    assert verify_chain() == victim.pk


def test_audit_chain_detects_a_deleted_row():
    for kind in ("created", "assigned", "decided"):
        audit(kind, actor_id=1)
    middle = AuditEntry.objects.order_by("pk")[1]
    with bypassing_the_trigger() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [middle.pk])  # noqa: S608
    assert verify_chain() is not None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_database_refuses_update_and_delete_of_audit_rows():
    from django.db import DatabaseError, transaction

    entry = audit("created", subject_id=1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AuditEntry._meta.db_table} SET kind = 'x' WHERE id = %s", [entry.pk])  # noqa: S608
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = %s", [entry.pk])  # noqa: S608


def test_audit_table_has_no_name_or_email_column():
    columns = {field.column for field in AuditEntry._meta.get_fields() if hasattr(field, "column")}
    assert not {c for c in columns if any(w in c for w in ("name", "email", "mail"))}
    assert not any(field.is_relation for field in AuditEntry._meta.get_fields())


@pytest.mark.parametrize("model", [BanEntry, VerificationChallenge])
def test_ban_and_challenge_tables_hold_no_identity_columns(model):
    columns = {field.name for field in model._meta.get_fields()}
    forbidden = ("name", "birth", "dob", "document_number", "email")
    assert not [c for c in columns if any(word in c for word in forbidden)]
