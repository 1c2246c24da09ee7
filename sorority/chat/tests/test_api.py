import pytest

from conftest import sign_in
from sorority.accounts.models import Block
from sorority.accounts.tests.factories import UserFactory
from sorority.chat.models import ChatSettings, Conversation, Message
from sorority.chat.tests.factories import conversation_between, message_in

pytestmark = pytest.mark.django_db


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


def test_a_member_starts_a_conversation_and_lists_it(member_client, member):
    other = UserFactory(display_name="Lou")
    response = post(
        member_client, "/api/v1/conversations", {"member_id": other.pk, "text": "Salut"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["other"] == {"member_id": other.pk, "display_name": "Lou"}
    assert body["message"]["text"] == "Salut"
    listed = member_client.get("/api/v1/conversations").json()
    assert [c["id"] for c in listed] == [body["id"]]


def test_missing_member_is_404_and_self_is_400(member_client, member):
    response = post(
        member_client, "/api/v1/conversations", {"member_id": 999999, "text": "x"}
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    response = post(
        member_client, "/api/v1/conversations", {"member_id": member.pk, "text": "x"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "cannot_contact_self"


def test_malformed_input_is_a_clear_400(member_client):
    for body in ({}, {"member_id": "abc", "text": "x"}, {"member_id": 1}):
        response = post(member_client, "/api/v1/conversations", body)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid"
    response = member_client.post(
        "/api/v1/conversations", "not json", content_type="application/json"
    )
    assert response.status_code == 400


def test_messages_after_an_id_return_only_newer_ones_in_order(member_client, member):
    other = UserFactory()
    conversation = conversation_between(member, other)
    ids = [message_in(conversation, other, f"m{i}").pk for i in range(5)]
    url = f"/api/v1/conversations/{conversation.pk}/messages"
    everything = member_client.get(url).json()
    assert [m["id"] for m in everything] == ids
    newer = member_client.get(f"{url}?after={ids[1]}").json()
    assert [m["text"] for m in newer] == ["m2", "m3", "m4"]
    assert set(newer[0]) >= {
        "type",
        "conversation",
        "id",
        "sender",
        "text",
        "created_at",
    }
    assert member_client.get(f"{url}?after=abc").status_code == 400


def test_posting_a_message_returns_it(member_client, member):
    conversation = conversation_between(member)
    response = post(
        member_client,
        f"/api/v1/conversations/{conversation.pk}/messages",
        {"text": "<b>hi</b>"},
    )
    assert response.status_code == 201
    assert response.json()["text"] == "<b>hi</b>"  # stored as text; escaped on display


def test_too_long_message_is_refused_with_its_code(member_client, member):
    conversation = conversation_between(member)
    response = post(
        member_client,
        f"/api/v1/conversations/{conversation.pk}/messages",
        {"text": "x" * 2001},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "message_too_long"


def test_rate_limited_messages_get_429(member_client, member, settings):
    settings.CHAT_MESSAGES_PER_MINUTE = 1
    conversation = conversation_between(member)
    url = f"/api/v1/conversations/{conversation.pk}/messages"
    assert post(member_client, url, {"text": "a"}).status_code == 201
    response = post(member_client, url, {"text": "b"})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"


def test_a_foreign_conversation_is_404_for_reading_and_writing(member_client):
    conversation = conversation_between()
    message_in(conversation, conversation.person_low, "secret")
    url = f"/api/v1/conversations/{conversation.pk}/messages"
    assert member_client.get(url).status_code == 404
    assert post(member_client, url, {"text": "x"}).status_code == 404
    assert (
        post(
            member_client, f"/api/v1/conversations/{conversation.pk}/read", {}
        ).status_code
        == 404
    )
    assert member_client.get("/api/v1/conversations/999999/messages").status_code == 404
    assert "secret" not in str(member_client.get("/api/v1/conversations").json())


def test_a_block_makes_the_conversation_404_at_once(member_client, member):
    other = UserFactory()
    conversation = conversation_between(member, other)
    response = post(member_client, "/api/v1/blocks", {"member_id": other.pk})
    assert response.status_code == 201
    assert Block.objects.filter(blocker=member, blocked=other).exists()
    url = f"/api/v1/conversations/{conversation.pk}/messages"
    assert member_client.get(url).status_code == 404
    assert member_client.get("/api/v1/conversations").json() == []


def test_blocking_nobody_or_herself_is_refused(member_client, member):
    assert (
        post(member_client, "/api/v1/blocks", {"member_id": 999999}).status_code == 404
    )
    assert (
        post(member_client, "/api/v1/blocks", {"member_id": member.pk}).status_code
        == 400
    )


def test_contact_several_over_the_api(member_client):
    hosts = UserFactory.create_batch(3)
    ChatSettings.objects.create(user=hosts[2], accept_several=False)
    response = post(
        member_client,
        "/api/v1/contact/several",
        {"member_ids": [h.pk for h in hosts], "text": "Urgent"},
    )
    assert response.status_code == 201
    assert len(response.json()["conversations"]) == 2
    assert response.json()["skipped"] == [hosts[2].pk]
    response = post(
        member_client,
        "/api/v1/contact/several",
        {"member_ids": list(range(1, 12)), "text": "x"},
    )
    assert response.status_code == 400


def test_read_marker_clears_the_unread_count(member_client, member):
    other = UserFactory()
    conversation = conversation_between(member, other)
    message_in(conversation, other)
    assert member_client.get("/api/v1/conversations").json()[0]["unread"] == 1
    assert (
        post(
            member_client, f"/api/v1/conversations/{conversation.pk}/read", {}
        ).status_code
        == 204
    )
    assert member_client.get("/api/v1/conversations").json()[0]["unread"] == 0


def test_chat_settings_round_trip(member_client, member):
    assert member_client.get("/api/v1/me/chat-settings").json() == {
        "accept_several": True,
        "email_unread": True,
    }
    response = member_client.put(
        "/api/v1/me/chat-settings",
        {"accept_several": False, "email_unread": False},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert ChatSettings.objects.get(user=member).accept_several is False


ENDPOINTS = [
    ("get", "/api/v1/conversations"),
    ("post", "/api/v1/conversations"),
    ("get", "/api/v1/conversations/1/messages"),
    ("post", "/api/v1/conversations/1/messages"),
    ("post", "/api/v1/contact/several"),
    ("post", "/api/v1/blocks"),
    ("get", "/api/v1/me/chat-settings"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_anonymous_people_get_401(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_applicants_get_verification_required(applicant_client, method, path):
    response = getattr(applicant_client, method)(
        path, {}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "verification_required"


def test_the_session_token_of_an_app_works_too(client, member):
    sign_in(client, member)
    session = client.session
    from allauth.headless.tokens.strategies.sessions import SessionTokenStrategy

    token = SessionTokenStrategy().create_session_token(
        type("R", (), {"session": session})()
    )
    anonymous = type(client)()
    response = anonymous.get(
        "/api/v1/conversations", headers={"X-Session-Token": token}
    )
    assert response.status_code == 200


def test_nothing_is_saved_for_a_refused_start(member_client):
    other = UserFactory()
    Block.objects.create(blocker=other, blocked=UserFactory())
    post(member_client, "/api/v1/conversations", {"member_id": other.pk, "text": ""})
    assert not Conversation.objects.exists()
    assert not Message.objects.exists()
