"""Contact over JSON (docs/api.md, Contact): conversations, messages, several at once."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status

from sorority.chat import selectors, services
from sorority.chat.models import Conversation
from sorority.chat.policies import conversations_visible_to
from sorority.chat.schemas import (
    ConversationOut,
    ConversationStartIn,
    ConversationStartOut,
    MessageIn,
    MessageOut,
    ReadIn,
    SettingsIn,
    SettingsOut,
    SeveralIn,
    SeveralOut,
)
from sorority.core.access import Access
from sorority.core.api import api_access
from sorority.core.ids import Id

API_PREFIX = ""
router = Router(tags=["contact"], auth=api_access(Access.MEMBER))
MEMBER = api_access(Access.MEMBER)


def conversation_out(conversation: Conversation, user: object, unread: int = 0) -> dict:
    other = selectors.other_person(conversation, user)
    return {
        "id": conversation.pk,
        "kind": conversation.kind,
        "other": {
            "member_id": getattr(other, "pk", None),
            "display_name": getattr(other, "display_name", ""),
        },
        "unread": unread,
        "last_message_at": conversation.last_message_at,
        "created_at": conversation.created_at,
    }


@router.get("/conversations", response=list[ConversationOut], auth=MEMBER)
def conversation_list(request: HttpRequest) -> list[dict]:
    """Her conversations, latest activity first, with unread counts."""
    return [
        conversation_out(c, request.user, c.unread)
        for c in selectors.conversation_list(request.user)[:500]
    ]


@router.post("/conversations", response={201: ConversationStartOut}, auth=MEMBER)
def conversation_start(request: HttpRequest, payload: ConversationStartIn) -> Status:
    """Open a conversation with a member (or reuse hers) with a first message."""
    other = services.member_by_id(payload.member_id, actor=request.user)
    conversation, message = services.conversation_start(
        starter=request.user, other=other, text=payload.text
    )
    conversation.refresh_from_db()
    out = conversation_out(conversation, request.user)
    out["message"] = services.message_payload(message)
    return Status(201, out)


class AfterQuery(Schema):
    after: Id | None = None
    limit: int = 100


@router.get(
    "/conversations/{conversation_id}/messages", response=list[MessageOut], auth=MEMBER
)
def message_list(
    request: HttpRequest, conversation_id: Id, query: Query[AfterQuery]
) -> list[dict]:
    """Messages after `after` (ascending), or the latest page: the catch-up path."""
    conversation = get_object_or_404(
        conversations_visible_to(request.user), pk=conversation_id
    )
    limit = max(1, min(query.limit, 500))
    messages = selectors.message_page(conversation, after=query.after, limit=limit)
    return [services.message_payload(m) for m in messages]


@router.post(
    "/conversations/{conversation_id}/messages",
    response={201: MessageOut},
    auth=MEMBER,
)
def message_send(
    request: HttpRequest, conversation_id: Id, payload: MessageIn
) -> Status:
    """Post a message; it is stored, then pushed to both sides' open pages."""
    message = services.message_send(
        sender=request.user, conversation_id=conversation_id, text=payload.text
    )
    return Status(201, services.message_payload(message))


@router.post("/conversations/{conversation_id}/read", response={204: None}, auth=MEMBER)
def conversation_read(
    request: HttpRequest, conversation_id: Id, payload: ReadIn
) -> Status:
    """Mark the conversation read up to a message (or to the latest one)."""
    conversation = get_object_or_404(
        conversations_visible_to(request.user), pk=conversation_id
    )
    services.conversation_mark_read(
        user=request.user, conversation=conversation, message_id=payload.message_id
    )
    return Status(204, None)


@router.post("/contact/several", response={201: SeveralOut}, auth=MEMBER)
def contact_several(request: HttpRequest, payload: SeveralIn) -> Status:
    """One message to up to 10 members, one conversation each (sudden flight)."""
    result = services.contact_several(
        sender=request.user, member_ids=payload.member_ids, text=payload.text
    )
    return Status(
        201,
        {
            "conversations": [c.pk for c in result["conversations"]],
            "skipped": result["skipped"],
        },
    )


@router.get("/me/chat-settings", response=SettingsOut, auth=MEMBER)
def chat_settings(request: HttpRequest) -> object:
    return services.settings_for(request.user)


@router.put("/me/chat-settings", response=SettingsOut, auth=MEMBER)
def chat_settings_update(request: HttpRequest, payload: SettingsIn) -> object:
    return services.chat_settings_update(
        user=request.user,
        accept_several=payload.accept_several,
        email_unread=payload.email_unread,
    )


class BlockIn(Schema):
    member_id: Id


class BlockOut(Schema):
    member_id: int


@router.post("/blocks", response={201: BlockOut}, auth=MEMBER)
def block(request: HttpRequest, payload: BlockIn) -> Status:
    """Block someone: both disappear from each other's search, map and chat at once."""
    other = services.block_member(blocker=request.user, member_id=payload.member_id)
    return Status(201, {"member_id": other.pk})
