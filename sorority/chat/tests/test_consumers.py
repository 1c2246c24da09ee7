"""The chat WebSocket, through the real ASGI stack (origin check, session auth)."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from sorority.accounts.models import Block, User
from sorority.accounts.tests.factories import UserFactory
from sorority.chat import services
from sorority.chat.models import Message
from sorority.chat.tests.factories import conversation_between

ws_db = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]
ORIGIN = (b"origin", b"http://testserver")
HOST = (b"host", b"testserver")


def _session_cookie(user: User | None) -> bytes:
    if user is None:
        return b""
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def connect(user: User | None, path: str = "/ws/chat/") -> tuple:
    cookie = await database_sync_to_async(_session_cookie)(user)
    headers = [ORIGIN, HOST]
    if cookie:
        headers.append((b"cookie", cookie))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect(timeout=3)
    return communicator, connected, code


@database_sync_to_async
def make_user(**kwargs: object) -> User:
    return UserFactory(**kwargs)


@database_sync_to_async
def make_conversation(a: User, b: User):
    return conversation_between(a, b)


@database_sync_to_async
def send(sender: User, conversation_id: int, text: str) -> Message:
    return services.message_send(
        sender=sender, conversation_id=conversation_id, text=text
    )


@database_sync_to_async
def api_after(user: User, conversation_id: int, after: int) -> list[dict]:
    client = Client()
    client.force_login(user)
    response = client.get(
        f"/api/v1/conversations/{conversation_id}/messages?after={after}"
    )
    assert response.status_code == 200
    return response.json()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_anonymous_people_are_refused_on_connect():
    communicator, connected, code = await connect(None)
    assert not connected
    assert code == 4401
    await communicator.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("status", ["pending", "refused", "banned"])
async def test_applicants_and_banned_people_are_refused_on_connect(status):
    user = await make_user(status=status)
    communicator, connected, code = await connect(user)
    assert not connected
    assert code in (4401, 4403)
    await communicator.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_foreign_origin_is_refused():
    user = await make_user()
    cookie = await database_sync_to_async(_session_cookie)(user)
    communicator = WebsocketCommunicator(
        application,
        "/ws/chat/",
        headers=[(b"origin", b"https://evil.example"), HOST, (b"cookie", cookie)],
    )
    connected, _code = await communicator.connect(timeout=3)
    assert not connected
    await communicator.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_stored_message_is_pushed_to_both_sides():
    alice, bea = await make_user(), await make_user()
    conversation = await make_conversation(alice, bea)
    ws_alice, ok_a, _ = await connect(alice)
    ws_bea, ok_b, _ = await connect(bea)
    assert ok_a
    assert ok_b
    message = await send(bea, conversation.pk, "<script>x</script> bonjour")
    for ws in (ws_alice, ws_bea):
        pushed = await ws.receive_json_from(timeout=3)
        assert pushed["type"] == "message"
        assert pushed["id"] == message.pk
        assert pushed["conversation"] == conversation.pk
        assert pushed["sender"] == bea.pk
        assert pushed["text"] == "<script>x</script> bonjour"
        assert "created_at" in pushed
    await ws_alice.disconnect()
    await ws_bea.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_inbound_send_goes_through_the_service_and_is_pushed():
    alice, bea = await make_user(), await make_user()
    conversation = await make_conversation(alice, bea)
    ws_alice, _, _ = await connect(alice)
    ws_bea, _, _ = await connect(bea)
    await ws_alice.send_json_to(
        {"type": "send", "conversation": conversation.pk, "text": "hello", "ref": "c1"}
    )
    received = await ws_bea.receive_json_from(timeout=3)
    assert received["text"] == "hello"
    replies = [await ws_alice.receive_json_from(timeout=3) for _ in range(2)]
    assert {r["type"] for r in replies} == {"sent", "message"}
    assert next(r for r in replies if r["type"] == "sent")["ref"] == "c1"
    assert (
        await database_sync_to_async(Message.objects.filter(text="hello").count)() == 1
    )
    await ws_alice.disconnect()
    await ws_bea.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_posting_in_a_foreign_conversation_is_not_found_and_stores_nothing():
    mallory = await make_user()
    alice, bea = await make_user(), await make_user()
    conversation = await make_conversation(alice, bea)
    ws, _, _ = await connect(mallory)
    await ws.send_json_to(
        {"type": "send", "conversation": conversation.pk, "text": "x"}
    )
    reply = await ws.receive_json_from(timeout=3)
    assert reply["type"] == "error"
    assert reply["code"] == "not_found"
    await ws.send_json_to({"type": "send", "conversation": "abc", "text": "x"})
    assert (await ws.receive_json_from(timeout=3))["code"] == "not_found"
    assert await database_sync_to_async(Message.objects.count)() == 0
    await ws.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_posting_after_a_block_is_refused_and_nothing_is_pushed():
    alice, bea = await make_user(), await make_user()
    conversation = await make_conversation(alice, bea)
    ws_alice, _, _ = await connect(alice)
    ws_bea, _, _ = await connect(bea)
    await database_sync_to_async(Block.objects.create)(blocker=bea, blocked=alice)
    await ws_alice.send_json_to(
        {"type": "send", "conversation": conversation.pk, "text": "x"}
    )
    assert (await ws_alice.receive_json_from(timeout=3))["code"] == "not_found"
    assert await ws_bea.receive_nothing(timeout=0.3)
    await ws_alice.disconnect()
    await ws_bea.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_every_inbound_message_is_authorised_again():
    alice, bea = await make_user(), await make_user()
    conversation = await make_conversation(alice, bea)
    ws, ok, _ = await connect(alice)
    assert ok
    await database_sync_to_async(User.objects.filter(pk=alice.pk).update)(
        status=User.Status.BANNED, is_active=False
    )
    await ws.send_json_to(
        {"type": "send", "conversation": conversation.pk, "text": "x"}
    )
    assert (await ws.receive_json_from(timeout=3))["code"] == "forbidden"
    assert (await ws.receive_output(timeout=3))["type"] == "websocket.close"
    assert await database_sync_to_async(Message.objects.count)() == 0


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_garbage_frames_get_an_error_not_a_crash():
    alice = await make_user()
    ws, _, _ = await connect(alice)
    await ws.send_to(text_data="{not json")
    assert (await ws.receive_json_from(timeout=3))["code"] == "invalid"
    await ws.send_to(bytes_data=b"\x00\x01")
    assert (await ws.receive_json_from(timeout=3))["code"] == "invalid"
    await ws.send_json_to({"type": "other"})
    assert (await ws.receive_json_from(timeout=3))["code"] == "invalid"
    await ws.send_json_to({"type": "send", "conversation": 1, "text": None})
    assert (await ws.receive_json_from(timeout=3))["type"] == "error"
    await ws.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_catch_up_after_a_dropped_connection_loses_and_repeats_nothing():
    alice, bea = await make_user(), await make_user()
    conversation = await make_conversation(alice, bea)
    ws, _, _ = await connect(alice)
    shown: list[int] = []
    for i in range(3):
        await send(bea, conversation.pk, f"before {i}")
        shown.append((await ws.receive_json_from(timeout=3))["id"])
    await ws.disconnect()  # the connection drops
    sent_while_away = [
        (await send(bea, conversation.pk, f"away {i}")).pk for i in range(4)
    ]
    ws, ok, _ = await connect(alice)
    assert ok
    # The page catches up from the API after the last id it shows, then listens.
    missed = await api_after(alice, conversation.pk, shown[-1])
    for item in missed:
        if item["id"] not in shown:
            shown.append(item["id"])
    live = await send(bea, conversation.pk, "after")
    pushed = await ws.receive_json_from(timeout=3)
    if pushed["id"] not in shown:
        shown.append(pushed["id"])
    assert [m["id"] for m in missed] == sent_while_away
    every_id = await database_sync_to_async(
        lambda: list(Message.objects.order_by("id").values_list("id", flat=True))
    )()
    assert shown == every_id
    assert len(shown) == len(set(shown))
    assert shown[-1] == live.pk
    await ws.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_apps_connect_with_their_session_token():
    alice = await make_user()

    @database_sync_to_async
    def token_for(user: User) -> str:
        from allauth.headless.tokens.strategies.sessions import SessionTokenStrategy

        client = Client()
        client.force_login(user)
        return SessionTokenStrategy().create_session_token(
            type("R", (), {"session": client.session})()
        )

    token = await token_for(alice)
    communicator = WebsocketCommunicator(
        application, f"/ws/chat/?token={token}", headers=[ORIGIN, HOST]
    )
    connected, _ = await communicator.connect(timeout=3)
    assert connected
    await communicator.disconnect()
    bad = WebsocketCommunicator(
        application, "/ws/chat/?token=nope", headers=[ORIGIN, HOST]
    )
    connected, code = await bad.connect(timeout=3)
    assert not connected
    assert code == 4401


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_block_closes_the_conversation_on_both_open_pages():
    alice, bea = await make_user(), await make_user()
    conversation = await make_conversation(alice, bea)
    ws_alice, _, _ = await connect(alice)
    ws_bea, _, _ = await connect(bea)

    @database_sync_to_async
    def block() -> None:
        services.block_member(blocker=alice, member_id=bea.pk)

    await block()
    for ws in (ws_alice, ws_bea):
        assert await ws.receive_json_from(timeout=3) == {
            "type": "closed",
            "conversation": conversation.pk,
        }
    await ws_alice.disconnect()
    await ws_bea.disconnect()
