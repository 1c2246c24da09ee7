"""API shapes of the chat (docs/api.md, Contact)."""

from datetime import datetime

from ninja import Field, Schema

from sorority.core.ids import Id, id_list


class ConversationStartIn(Schema):
    member_id: Id
    text: str = Field(..., max_length=20000)


class MessageIn(Schema):
    text: str = Field(..., max_length=20000)


class SeveralIn(Schema):
    member_ids: id_list(50)  # type: ignore[valid-type]
    text: str = Field(..., max_length=20000)


class ReadIn(Schema):
    message_id: Id | None = None


class MessageOut(Schema):
    type: str = "message"
    conversation: int
    id: int
    sender: int | None
    sender_name: str
    text: str
    created_at: datetime


class OtherOut(Schema):
    member_id: int | None
    display_name: str


class ConversationOut(Schema):
    id: int
    kind: str
    other: OtherOut
    unread: int
    last_message_at: datetime | None
    created_at: datetime


class ConversationStartOut(ConversationOut):
    message: MessageOut


class SeveralOut(Schema):
    conversations: list[int]
    skipped: list[int]


class SettingsIn(Schema):
    accept_several: bool
    email_unread: bool


class SettingsOut(SettingsIn):
    pass
