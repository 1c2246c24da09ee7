"""Existence oracles: after she blocks someone, she is, to that person, an unknown id.

Table-driven over every door (page and API) that acts *about* a member: block,
report, start a conversation, contact several, write in an old conversation.
For the blocked person, "the member who blocked me" must answer exactly like
"a member id that does not exist" and "someone who is not a member": same
status, same headers that matter, same body once CSRF tokens, nonces and the
echoed path are masked, and the same number of SQL queries (no extra work on
one path). Staff invitations by e-mail or number answer the same for every
address and leave the same visible state.
"""

import json
import re
from collections.abc import Callable

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from conftest import sign_in
from sorority.accounts.models import Block, User
from sorority.accounts.tests.factories import UserFactory
from sorority.associations.models import Membership, StaffInvitation
from sorority.associations.tests.factories import approved_association_with_staff
from sorority.chat import services as chat
from sorority.chat.models import Conversation
from sorority.moderation.models import Report

pytestmark = pytest.mark.django_db

MISSING_ID = 987_654_321
JSON = "application/json"


@pytest.fixture(autouse=True)
def _room(settings):
    settings.CHAT_SEVERAL_PER_DAY = 1000
    settings.CHAT_MESSAGES_PER_MINUTE = 1000
    settings.MODERATION_REPORTS_PER_HOUR = 1000


def _mask(text: str, *paths: str) -> str:
    text = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1CSRF", text)
    text = re.sub(r'(name="csrf-token" content=")[^"]+', r"\1CSRF", text)
    text = re.sub(r'nonce="[^"]*"', 'nonce="N"', text)
    for path in paths:
        text = text.replace(path, "/PATH/").replace(escape(path), "/PATH/")
    return text


class Seen:
    """Everything a person can observe of one answer."""

    def __init__(self, response, queries: int, *paths: str) -> None:
        self.status = response.status_code
        self.location = response.get("Location", "")
        self.content_type = response.get("Content-Type", "")
        self.body = _mask(response.content.decode(), *paths)
        self.queries = queries

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Seen) and vars(self) == vars(other)

    def __repr__(self) -> str:
        return f"Seen({self.status}, {self.location!r}, q={self.queries}, {self.body[:300]!r})"


def _observe(call: Callable[[], object], *paths: str) -> Seen:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    return Seen(response, len(queries), *paths)


# --- the doors: each takes (client, target member id, world) and returns a Seen ---


def api_block(client, target, world):
    return _observe(
        lambda: client.post("/api/v1/blocks", {"member_id": target}, content_type=JSON)
    )


def api_report(client, target, world):
    return _observe(
        lambda: client.post(
            "/api/v1/reports",
            {"member_id": target, "reason": "harassment", "details": "x"},
            content_type=JSON,
        )
    )


def api_conversation_start(client, target, world):
    return _observe(
        lambda: client.post(
            "/api/v1/conversations",
            {"member_id": target, "text": "Bonjour"},
            content_type=JSON,
        )
    )


def api_contact_several(client, target, world):
    # A third member on the list makes the answer non-trivial: one conversation
    # with her (the same one each time), and the target skipped.
    def call():
        return client.post(
            "/api/v1/contact/several",
            {"member_ids": [world["friend"].pk, target], "text": "Besoin d'aide"},
            content_type=JSON,
        )

    seen = _observe(call)
    body = json.loads(seen.body)
    body["skipped"] = ["TARGET" if i == target else i for i in body["skipped"]]
    seen.body = json.dumps(body)
    return seen


def api_message_in_old_conversation(client, target, world):
    conversation = world["conversations"].get(target, MISSING_ID)
    return _observe(
        lambda: client.post(
            f"/api/v1/conversations/{conversation}/messages",
            {"text": "Tu es là ?"},
            content_type=JSON,
        )
    )


def api_read_old_conversation(client, target, world):
    conversation = world["conversations"].get(target, MISSING_ID)
    return _observe(
        lambda: client.get(f"/api/v1/conversations/{conversation}/messages")
    )


def page_block_ask(client, target, world):
    path = reverse("chat:block", args=[target])
    return _observe(lambda: client.get(path), path)


def page_block_confirm(client, target, world):
    path = reverse("chat:block", args=[target])
    return _observe(lambda: client.post(path), path)


def page_report(client, target, world):
    path = reverse("moderation:report_new") + f"?member_id={target}"
    return _observe(
        lambda: client.post(path, {"reason": "harassment", "details": "x"}), path
    )


def page_conversation_new(client, target, world):
    path = reverse("chat:new", args=[target])
    return _observe(lambda: client.get(path), path)


def page_conversation_new_send(client, target, world):
    path = reverse("chat:new", args=[target])
    return _observe(
        lambda: client.post(
            path, {"subject": "Écoute", "context": "", "availability": ""}
        ),
        path,
    )


def page_contact_several(client, target, world):
    query = f"?member_ids={world['friend'].pk}&member_ids={target}"
    path = reverse("chat:several") + query
    return _observe(lambda: client.get(path), path)


def page_contact_several_send(client, target, world):
    query = f"?member_ids={world['friend'].pk}&member_ids={target}"
    path = reverse("chat:several") + query
    sent = _observe(
        lambda: client.post(
            path,
            {"member_ids": [world["friend"].pk, target], "text": "Besoin d'aide"},
        ),
        path,
    )
    after = _observe(lambda: client.get(sent.location))  # the flash message
    sent.body += after.body
    return sent


def page_old_conversation(client, target, world):
    conversation = world["conversations"].get(target, MISSING_ID)
    path = reverse("chat:detail", args=[conversation])
    return _observe(lambda: client.get(path), path)


def page_message_in_old_conversation(client, target, world):
    conversation = world["conversations"].get(target, MISSING_ID)
    path = reverse("chat:send", args=[conversation])
    return _observe(lambda: client.post(path, {"text": "Tu es là ?"}), path)


DOORS = [
    api_block,
    api_report,
    api_conversation_start,
    api_contact_several,
    api_message_in_old_conversation,
    api_read_old_conversation,
    page_block_ask,
    page_block_confirm,
    page_report,
    page_conversation_new,
    page_conversation_new_send,
    page_contact_several,
    page_contact_several_send,
    page_old_conversation,
    page_message_in_old_conversation,
]


@pytest.fixture
def world(client):
    """B (signed in) had a conversation with A and with an applicant's id; then A
    blocked B. `friend` is a member B can always reach."""
    b = UserFactory()
    a = UserFactory()
    friend = UserFactory()
    applicant = UserFactory(status=User.Status.PENDING)
    conversation, _message = chat.conversation_start(starter=b, other=a, text="Salut")
    chat.block_member(blocker=a, member_id=b.pk)
    sign_in(client, b)
    return {
        "b": b,
        "a": a,
        "friend": friend,
        "applicant": applicant,
        "conversations": {a.pk: conversation.pk},
    }


@pytest.mark.parametrize("door", DOORS, ids=lambda d: d.__name__)
def test_the_member_who_blocked_her_answers_like_an_unknown_id(client, world, door):
    # Warm every cache once (session, translations, templates) so that the three
    # measured calls start from the same state.
    door(client, MISSING_ID, world)
    # A stopped clock: pages show the time of the last message sent to `friend`.
    with time_machine.travel(timezone.now(), tick=False):
        missing = door(client, MISSING_ID, world)
        blocked = door(client, world["a"].pk, world)
        not_a_member = door(client, world["applicant"].pk, world)
    assert blocked == missing
    assert not_a_member == missing
    assert missing.status in (200, 302, 404, 201)


def test_nothing_is_written_about_the_member_who_blocked_her(client, world):
    a = world["a"]
    for door in DOORS:
        door(client, a.pk, world)
    assert not Block.objects.filter(blocker=world["b"], blocked=a).exists()
    assert not Report.objects.filter(reported=a).exists()
    assert (
        not Conversation.objects.filter(
            participants__user=a, kind=Conversation.Kind.DIRECT
        )
        .exclude(pk=world["conversations"][a.pk])
        .exists()
    )


def test_the_unknown_id_answer_is_the_one_not_found(client, world):
    """The API answer is the one `member_not_found()`: 404, code and message."""
    r = client.post("/api/v1/blocks", {"member_id": world["a"].pk}, content_type=JSON)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    r2 = client.post(
        "/api/v1/reports",
        {"member_id": world["a"].pk, "reason": "harassment"},
        content_type=JSON,
    )
    assert r2.json()["error"] == r.json()["error"]
    r3 = client.post(
        "/api/v1/conversations",
        {"member_id": world["a"].pk, "text": "x"},
        content_type=JSON,
    )
    assert r3.json()["error"] == r.json()["error"]


# --- the other direction: what the blocker herself gets ---


def test_the_blocker_herself_is_told_plainly(client):
    a = UserFactory()
    b = UserFactory()
    chat.block_member(blocker=a, member_id=b.pk)
    sign_in(client, a)
    # Blocking again is fine (idempotent), on both doors.
    r = client.post("/api/v1/blocks", {"member_id": b.pk}, content_type=JSON)
    assert r.status_code == 201
    assert client.get(reverse("chat:block", args=[b.pk])).status_code == 200
    # She can report the person she blocked: the usual "block, then report".
    r = client.post(
        "/api/v1/reports",
        {"member_id": b.pk, "reason": "harassment"},
        content_type=JSON,
    )
    assert r.status_code == 201
    # Writing to her gets a clear refusal, not a "no such member".
    r = client.post(
        "/api/v1/conversations", {"member_id": b.pk, "text": "x"}, content_type=JSON
    )
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "blocked_by_you"
    page = client.get(reverse("chat:new", args=[b.pk]), follow=True)
    assert "Vous avez bloqué cette personne." in page.content.decode()


# --- staff invitations: the association learns nothing about an address ---


def _addresses() -> dict[str, User | None]:
    banned = UserFactory(status=User.Status.BANNED, is_active=False)
    return {
        "member": UserFactory(),
        "applicant": UserFactory(status=User.Status.PENDING),
        "banned": banned,
        "nobody": None,
        "blocked_the_inviter": UserFactory(),
    }


def _reference(kind: str, person: User | None, by: str) -> str:
    if person is None:
        return "nobody@example.org" if by == "email" else str(MISSING_ID)
    return person.email.upper() if by == "email" else str(person.pk)


@pytest.mark.parametrize("by", ["email", "number"])
@time_machine.travel("2026-03-02 10:00:00+01:00", tick=False)
def test_a_staff_invitation_answers_the_same_for_every_address(client, by):
    # The clock stands still: the pages show times to the minute.
    people = _addresses()
    seen_api: dict[str, tuple] = {}
    seen_page: dict[str, str] = {}
    for kind, person in people.items():
        association, rep = approved_association_with_staff()
        if kind == "blocked_the_inviter":
            Block.objects.create(blocker=person, blocked=rep)
        reference = _reference(kind, person, by)
        address = reference.lower()
        sign_in(client, rep)
        with CaptureQueriesContext(connection):
            r = client.post(
                f"/api/v1/associations/{association.pk}/staff",
                {"member": reference},
                content_type=JSON,
            )
        body = r.json()
        masked = {
            k: v
            for k, v in body.items()
            if k not in {"id", "association_id", "created_at"}
        }
        assert masked.pop("address") == address
        staff = client.get(f"/api/v1/associations/{association.pk}/staff").json()
        listed = client.get(f"/api/v1/associations/{association.pk}/invitations").json()
        assert [i["address"] for i in listed] == [address]
        seen_api[kind] = (r.status_code, masked, [m["member_id"] for m in staff])
        # The page door, on a second association of the same kind.
        other, rep2 = approved_association_with_staff()
        if kind == "blocked_the_inviter":
            Block.objects.create(blocker=person, blocked=rep2)
        sign_in(client, rep2)
        page = client.post(
            reverse("associations:staff_invite", args=[other.pk]),
            {"member": reference},
            follow=True,
        )
        html = _mask(page.content.decode())
        html = html.replace(f"<td>{address}</td>", "<td>ADDRESS</td>")
        html = html.replace(other.name, "NAME").replace(other.identifier, "ID")
        html = re.sub(r"/associations/\d+/", "/associations/N/", html)
        html = re.sub(r"invitations/\d+/", "invitations/N/", html)
        html = re.sub(r"\(#\d+\)", "(#N)", html)
        html = html.replace(rep2.display_name, "REP")
        seen_page[kind] = html
    first = seen_api["nobody"]
    assert first[0] == 201
    for kind in people:
        assert seen_api[kind][0] == first[0], kind
        assert seen_api[kind][1] == first[1], kind
        assert len(seen_api[kind][2]) == len(first[2]) == 1, kind  # only the rep
        assert seen_page[kind] == seen_page["nobody"], kind
    # Only the invitable member holds an invitation in her account.
    assert (
        Membership.objects.filter(
            user=people["member"], status=Membership.Status.INVITED
        ).count()
        == 2
    )
    for kind in ("applicant", "banned", "blocked_the_inviter"):
        assert not Membership.objects.filter(user=people[kind]).exists(), kind


def test_a_declined_invitation_looks_like_one_to_nobody(client):
    association, rep = approved_association_with_staff()
    member = UserFactory()
    sign_in(client, rep)
    client.post(
        f"/api/v1/associations/{association.pk}/staff",
        {"member": member.email},
        content_type=JSON,
    )
    client.post(
        f"/api/v1/associations/{association.pk}/staff",
        {"member": "nobody@example.org"},
        content_type=JSON,
    )
    sign_in(client, member)
    invitation = client.get("/api/v1/associations/invitations").json()[0]["id"]
    assert (
        client.post(
            f"/api/v1/associations/invitations/{invitation}/decline"
        ).status_code
        == 200
    )
    sign_in(client, rep)
    listed = client.get(f"/api/v1/associations/{association.pk}/invitations").json()
    assert {i["status"] for i in listed} == {"pending"}
    assert [i["address"] for i in listed] == [member.email, "nobody@example.org"]
    page = client.get(reverse("associations:detail", args=[association.pk]))
    assert member.display_name not in page.content.decode()
    export = client.get(f"/api/v1/associations/{association.pk}/export").json()
    assert member.pk not in [m["member_id"] for m in export["staff"]]


def test_the_association_cannot_reach_a_hidden_invitation_by_its_number(client):
    """Membership rows of invitations are not addressable by the association."""
    association, rep = approved_association_with_staff()
    member = UserFactory()
    sign_in(client, rep)
    client.post(
        f"/api/v1/associations/{association.pk}/staff",
        {"member": member.email},
        content_type=JSON,
    )
    hidden = Membership.objects.get(user=member)
    r = client.delete(f"/api/v1/associations/{association.pk}/staff/{hidden.pk}")
    assert r.status_code == 404
    assert member.display_name.encode() not in r.content
    invitation = StaffInvitation.objects.get(association=association)
    r = client.delete(
        f"/api/v1/associations/{association.pk}/invitations/{invitation.pk}"
    )
    assert r.status_code == 200
    assert Membership.objects.get(pk=hidden.pk).status == Membership.Status.REMOVED
    sign_in(client, member)
    assert client.get("/api/v1/associations/invitations").json() == []


# --- the WebSocket door: writing in an old conversation with the blocker ---


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_websocket_answers_a_hidden_conversation_like_a_missing_one():
    from channels.db import database_sync_to_async

    from sorority.chat.tests.test_consumers import connect

    @database_sync_to_async
    def setup():
        b, a = UserFactory(), UserFactory()
        conversation, _ = chat.conversation_start(starter=b, other=a, text="Salut")
        chat.block_member(blocker=a, member_id=b.pk)
        return b, conversation.pk

    b, hidden = await setup()
    communicator, connected, _code = await connect(b)
    assert connected
    replies = []
    for conversation in (MISSING_ID, hidden):
        await communicator.send_json_to(
            {"type": "send", "conversation": conversation, "text": "Tu es là ?"}
        )
        replies.append(await communicator.receive_json_from(timeout=3))
    await communicator.disconnect()
    assert replies[0] == replies[1]
    assert replies[0]["code"] == "not_found"


# --- association outreach: a host who blocked the referent is an unknown id ---


def test_outreach_to_a_host_who_blocked_the_referent_answers_like_an_unknown_id(client):
    from sorority.associations.tests.factories import CaseFactory

    association, rep = approved_association_with_staff()
    case = CaseFactory(association=association, referent=rep)
    host = UserFactory()
    Block.objects.create(blocker=host, blocked=rep)
    sign_in(client, rep)
    base = f"/api/v1/cases/{case.pk}"
    assert (
        client.post(
            f"{base}/safety-check", {"threatened": False}, content_type=JSON
        ).status_code
        == 200
    )

    def door(target: int) -> Seen:
        seen = _observe(
            lambda: client.post(
                f"{base}/outreach", {"host_ids": [target]}, content_type=JSON
            )
        )
        seen.body = seen.body.replace(f'["{target}"]', '["TARGET"]')
        return seen

    door(MISSING_ID)
    missing = door(MISSING_ID)
    blocked = door(host.pk)
    assert blocked == missing
    assert missing.status == 400
