"""Erasure and export across the chat and moderation (evidence under open report)."""

import pytest

from sorority.accounts.tests.factories import UserFactory
from sorority.chat.models import Conversation, Message, Participant
from sorority.chat.tests.factories import conversation_between, message_in
from sorority.core.personal_data import covered_models, registered
from sorority.moderation import services
from sorority.moderation.models import Report

pytestmark = pytest.mark.django_db


def erase(user) -> None:
    """What the privacy app does with our entries (in their order), then the account."""
    for entry in registered():
        if entry.app_label in ("chat", "moderation"):
            entry.erase(user)
    user.delete()


def test_every_model_of_chat_and_moderation_is_registered():
    from django.apps import apps

    for label in ("chat", "moderation"):
        for model in apps.get_app_config(label).get_models():
            assert model._meta.label in covered_models()


def test_erasure_removes_her_messages_from_both_sides_but_keeps_reported_ones(
    moderator,
):
    author, reader = UserFactory(), UserFactory()
    conversation = conversation_between(author, reader)
    message_in(conversation, author, "ordinary")
    reported = message_in(conversation, author, "threat")
    reply = message_in(conversation, reader, "reply")
    report = services.report_create(
        reporter=reader, message_id=reported.pk, reason="harassment"
    )
    erase(author)
    remaining = set(Message.objects.values_list("text", flat=True))
    assert remaining == {"threat", "reply"}
    assert Message.objects.get(pk=reported.pk).sender is None
    report.refresh_from_db()
    assert report.message_id == reported.pk
    assert report.message_text == "threat"
    assert (
        not Participant.objects.filter(conversation=conversation)
        .exclude(user=reader)
        .exists()
    )
    # Once the report is closed, a later erasure pass has nothing left to keep.
    services.report_dismiss(moderator=moderator, report_id=report.pk)
    assert reply.pk in set(Message.objects.values_list("pk", flat=True))


def test_a_conversation_left_empty_disappears(member):
    author = UserFactory()
    conversation = conversation_between(author, member)
    message_in(conversation, author)
    erase(author)
    assert not Conversation.objects.exists()


def test_reports_she_filed_lose_her_name_but_open_ones_stay(member):
    other = UserFactory()
    report = services.report_create(reporter=member, member_id=other.pk, reason="spam")
    erase(member)
    report.refresh_from_db()
    assert report.reporter is None
    assert report.status == Report.Status.OPEN


def test_export_lists_her_messages_settings_and_reports(member):
    other = UserFactory()
    message_in(conversation_between(member, other), member, "mine")
    message_in(Conversation.objects.get(), other, "theirs")
    services.report_create(reporter=member, member_id=other.pk, reason="spam")
    exported = {
        entry.app_label: entry.export(member)
        for entry in registered()
        if entry.app_label in ("chat", "moderation")
    }
    texts = [m["text"] for m in exported["chat"]["messages_sent"]]
    assert texts == ["mine"]
    assert exported["chat"]["settings"]["email_unread"] is True
    assert exported["moderation"]["reports_filed"][0]["reason"] == "spam"
