"""The moderator console: claim next, decisions by JSON, transcription checks, timing."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from sorority.accounts.tests.factories import UserFactory
from sorority.verification.models import AuditEntry, VerificationRequest
from sorority.verification.tests.conftest import submit_via_api
from sorority.verification.tests.test_review import CHECKLIST, decide, second_moderator

pytestmark = pytest.mark.django_db

APPROVE = dict.fromkeys(CHECKLIST, "on") | {
    "family_name": "  DUPONT-MARTIN ",
    "given_names": "Élodie  Anne",
    "birth_date": "31/01/1990",
    "decision": "approve",
}


@pytest.fixture
def claimed(moderator_client) -> VerificationRequest:
    (case,) = applicants(1)
    moderator_client.post(reverse("verification:moderation_next"))
    case.refresh_from_db()
    return case


def applicants(count: int) -> list[VerificationRequest]:
    for _ in range(count):
        web = sign_in(Client(), UserFactory(status="applicant"))
        assert submit_via_api(web).status_code == 201
    return list(VerificationRequest.objects.order_by("submitted_at"))


def post_json(client, url, data):
    return client.post(url, data, HTTP_ACCEPT="application/json")


def test_claim_next_takes_the_oldest_then_reopens_her_own(moderator_client, moderator):
    first, second = applicants(2)
    response = moderator_client.post(reverse("verification:moderation_next"))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "verification:moderation_detail", args=[first.pk]
    )
    assert "claim;dur=" in response["Server-Timing"]
    first.refresh_from_db()
    assert (first.state, first.assignee_id) == ("in_review", moderator.pk)
    again = moderator_client.post(reverse("verification:moderation_next"))
    assert again["Location"] == reverse(
        "verification:moderation_detail", args=[first.pk]
    )
    second.refresh_from_db()
    assert second.state == "submitted"


def test_claim_next_skips_cases_of_others_and_says_when_nothing_waits(moderator_client):
    (case,) = applicants(1)
    other = second_moderator()
    sign_in(Client(), other, second_factor=True).post(
        reverse("verification:moderation_next")
    )
    case.refresh_from_db()
    assert case.assignee_id == other.pk
    response = moderator_client.post(
        reverse("verification:moderation_next"), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("verification:moderation_queue")
    assert "Aucune vérification ne vous attend" in response.content.decode()


def test_a_decision_opens_the_next_case_and_destroys_the_documents(
    moderator_client, moderator, django_capture_on_commit_callbacks
):
    first, second = applicants(2)
    moderator_client.post(reverse("verification:moderation_next"))
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(
            moderator_client,
            reverse("verification:moderation_decide", args=[first.pk]),
            APPROVE,
        )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "outcome": "approved",
        "next": reverse("verification:moderation_detail", args=[second.pk]),
    }
    timing = response["Server-Timing"]
    assert "decide;dur=" in timing
    assert "claim;dur=" in timing
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == "approved"
    assert not first.documents.exists()
    assert (second.state, second.assignee_id) == ("in_review", moderator.pk)


def test_then_queue_stops_after_this_decision(moderator_client):
    first, second = applicants(2)
    moderator_client.post(reverse("verification:moderation_next"))
    response = post_json(
        moderator_client,
        reverse("verification:moderation_decide", args=[first.pk]),
        {**APPROVE, "then_queue": "on"},
    )
    assert response.json()["next"] == reverse("verification:moderation_queue")
    second.refresh_from_db()
    assert second.state == "submitted"


def test_detail_and_documents_carry_server_timing_and_stay_uncached(moderator_client):
    (case,) = applicants(1)
    moderator_client.post(reverse("verification:moderation_next"))
    page = moderator_client.get(
        reverse("verification:moderation_detail", args=[case.pk])
    )
    assert page.status_code == 200
    assert "render;dur=" in page["Server-Timing"]
    body = page.content.decode()
    assert 'id="challenge-code"' in body
    assert case.challenge.code in body
    assert "console.js" in body
    image = moderator_client.get(
        reverse("verification:moderation_document", args=[case.pk, "id_front"])
    )
    assert "document;dur=" in image["Server-Timing"]
    assert "no-store" in image["Cache-Control"]
    assert AuditEntry.objects.filter(kind="document_viewed").count() == 1


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("family_name", "Dup0nt", "chiffre"),
        ("given_names", "Anne_Marie", "lettres"),
        ("birth_date", "31/02/1990", "n'existe pas"),
        ("birth_date", "1990", "JJ/MM/AAAA"),
        ("birth_date", "31/01/90", "quatre chiffres"),
        ("birth_date", "01/01/2099", "futur"),
        ("birth_date", "01/01/1900", "au plus 110"),
        ("birth_date", "PLACEHOLDER_RECENT", "au moins 15"),
    ],
)
def test_transcription_typos_are_refused_beside_the_field_in_french(
    moderator_client, field, value, words
):
    (case,) = applicants(1)
    moderator_client.post(reverse("verification:moderation_next"))
    if value == "PLACEHOLDER_RECENT":
        value = (timezone.localdate() - datetime.timedelta(days=365 * 10)).strftime(
            "%d/%m/%Y"
        )
    url = reverse("verification:moderation_decide", args=[case.pk])
    response = post_json(moderator_client, url, {**APPROVE, field: value})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_transcription"
    assert words in " ".join(error["fields"][field])
    case.refresh_from_db()
    assert case.state == "in_review"
    # Without the script: the same page again, the message beside the field.
    page = moderator_client.post(url, {**APPROVE, field: value})
    assert page.status_code == 400
    assert words in page.content.decode().replace("&#x27;", "'")


def test_the_api_applies_the_same_transcription_rules(claimed, moderator_client):
    response = decide(moderator_client, claimed, family_name="Dupont2")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_transcription"
    response = decide(moderator_client, claimed, birth_date="2099-01-01")
    assert response.status_code == 400
    assert "birth_date" in response.json()["error"]["fields"]


def test_spaces_are_tidied_so_the_tags_are_those_of_the_clean_name(
    claimed, moderator, moderator_client, django_capture_on_commit_callbacks
):
    from sorority.verification import services

    spaced = {
        "family_name": "  Dupont   Martin ",
        "given_names": " Élodie",
        "birth_date": "1990-01-31",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(
            moderator_client,
            claimed,
            decision="refuse",
            reason="suspected_impersonation",
            ban_category="impersonation",
            **spaced,
        )
    assert response.status_code == 200, response.content
    from sorority.verification.identity import all_tags
    from sorority.verification.models import BanEntry

    entry = BanEntry.objects.get()
    clean = all_tags(
        family_name="Dupont Martin",
        given_names="Élodie",
        birth_date=datetime.date(1990, 1, 31),
        keyring=__import__("django.conf").conf.settings.IDENTITY_TAG_KEYS,
    )
    assert entry.tag == clean[entry.key_version]
    assert services.CHECKLIST


def test_display_normalises_all_caps_only():
    from sorority.verification.transcription import Transcription, display_name

    assert display_name("DUPONT-MARTIN") == "Dupont-Martin"
    assert display_name("d'Artagnan") == "d'Artagnan"
    assert Transcription("LE GALL", "Anne", None).display == "Anne Le Gall"
