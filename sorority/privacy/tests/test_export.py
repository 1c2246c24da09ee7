import json

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from conftest import sign_in
from sorority.accounts.models import Block, User
from sorority.accounts.services import block_create, user_set_status
from sorority.accounts.tests.factories import UserFactory
from sorority.core.personal_data import covered_models

pytestmark = pytest.mark.django_db


def _models_pointing_at_people() -> set[str]:
    """Every model of a Sorority app with a direct FK or one-to-one to the user model."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    found = set()
    for model in apps.get_models():
        if not model.__module__.startswith("sorority."):
            continue
        if model is user_model:
            found.add(model._meta.label)
            continue
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.ForeignKey | models.OneToOneField)
                and field.related_model is user_model
            ):
                found.add(model._meta.label)
    return found


def test_every_model_with_personal_data_is_covered_by_the_export_and_erasure():
    missing = _models_pointing_at_people() - covered_models()
    assert not missing, (
        "These models point at a person but no app registered them with "
        f"sorority.core.personal_data (export + erasure): {sorted(missing)}"
    )


def test_the_model_walk_sees_the_models_it_must():
    found = _models_pointing_at_people()
    assert {"accounts.User", "accounts.Block", "privacy.AbuserFlag"} <= found


def test_applicant_gets_her_export_over_the_api(applicant_client, applicant):
    response = applicant_client.get("/api/v1/me/export")
    assert response.status_code == 200
    body = response.json()
    assert body["generated_at"]
    account = body["data"]["accounts"]["account"]
    assert account["email"] == applicant.email
    assert account["display_name"] == applicant.display_name
    assert "privacy" in body["data"]


def test_export_lists_blocks_she_made_but_not_who_blocked_her(client, member):
    other = UserFactory(display_name="Blocked Person")
    blocker = UserFactory(display_name="Someone Who Blocked Her")
    block_create(blocker=member, blocked=other)
    block_create(blocker=blocker, blocked=member)
    sign_in(client, member)
    text = client.get("/api/v1/me/export").content.decode()
    assert "Blocked Person" in text
    assert "Someone Who Blocked Her" not in text
    assert Block.objects.count() == 2


def test_export_shows_account_history_without_naming_the_moderator(client, applicant):
    moderator = UserFactory(display_name="Moderator Name")
    user_set_status(user=applicant, status=User.Status.MEMBER, actor=moderator)
    sign_in(client, applicant)
    body = client.get("/api/v1/me/export").json()
    events = body["data"]["accounts"]["account_events"]
    assert any(e["kind"] == "status_changed" and e["by"] == "staff" for e in events)
    assert "Moderator Name" not in json.dumps(body)


def test_export_never_contains_second_factor_secrets(moderator_client, moderator):
    body = moderator_client.get("/api/v1/me/export").json()
    factors = body["data"]["accounts"]["second_factors"]
    assert factors == [
        {"type": "totp", "created_at": factors[0]["created_at"], "last_used_at": None}
    ]
    assert "JBSWY3DPEHPK3PXP" not in json.dumps(body)


def test_anonymous_cannot_export(client):
    response = client.get("/api/v1/me/export")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_banned_person_cannot_export(client):
    banned = UserFactory(status=User.Status.BANNED, is_active=True)
    sign_in(client, banned)
    assert client.get("/api/v1/me/export").status_code == 403
    assert client.get("/privacy/export/download/").status_code == 403


def test_export_page_offers_a_json_download_and_a_readable_page(member_client, member):
    page = member_client.get("/privacy/export/")
    assert page.status_code == 200
    download = member_client.get("/privacy/export/download/")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/json")
    assert download["Content-Disposition"].startswith("attachment;")
    assert "sorority" not in download["Content-Disposition"].lower()
    assert json.loads(download.content)["data"]["accounts"]["account"]["id"] == member.pk
    readable = member_client.get("/privacy/export/view/")
    assert readable.status_code == 200
    assert member.email in readable.content.decode()


def test_export_pages_send_anonymous_people_to_the_login_page(client):
    for url in ("/privacy/", "/privacy/export/", "/privacy/export/download/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
