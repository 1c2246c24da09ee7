"""Chat over WebSocket: pushes stored messages, accepts `send` through the service.

The socket is bound to the session or app token that opened it
(`sorority.core.realtime.SessionBoundConsumer`): it closes within a second when that
session ends or her account state changes so that she may no longer use the chat
(ban, suspension, erasure, password changed elsewhere...), across processes. Every
inbound frame checks the session and the rule again (`access_denial(user,
Access.MEMBER)`) before storing anything. Each person listens on her own group
`user.<id>`; services broadcast there after commit, never the consumer itself.
"""

from sorority.core.access import Access
from sorority.core.errors import ApplicationError
from sorority.core.realtime import (
    CLOSE_FORBIDDEN,
    CLOSE_UNAUTHORISED,
    SessionBoundConsumer,
    authorise,
)

__all__ = ["CLOSE_FORBIDDEN", "CLOSE_UNAUTHORISED", "ChatConsumer"]


def _send(
    session_key: str, user_id: int, conversation_id: object, text: object
) -> dict:
    """Check her session and the rule again (state may have changed), then store."""
    from sorority.chat.services import message_payload, message_send

    user, code = authorise(session_key, Access.MEMBER)
    if code is not None or user is None or user.pk != user_id:
        return {
            "type": "error",
            "code": "forbidden",
            "close": code or CLOSE_UNAUTHORISED,
        }
    try:
        message = message_send(
            sender=user,
            conversation_id=conversation_id,
            text=text,  # type: ignore[arg-type]
        )
    except ApplicationError as exc:
        return {"type": "error", "code": exc.code, "message": exc.message}
    payload = message_payload(message)
    payload["type"] = "sent"
    return payload


class ChatConsumer(SessionBoundConsumer):
    access_rule = Access.MEMBER

    async def receive_json(self, content: object, **kwargs: object) -> None:
        if self.revoked:
            return
        if self.user_id is None or self.session_key is None:
            await self.close(code=CLOSE_UNAUTHORISED)
            return
        if not isinstance(content, dict) or content.get("type") != "send":
            await self.send_json({"type": "error", "code": "invalid"})
            return
        from channels.db import database_sync_to_async

        reply = await database_sync_to_async(_send)(
            self.session_key,
            self.user_id,
            content.get("conversation"),
            content.get("text"),
        )
        if "ref" in content and isinstance(content["ref"], str | int):
            reply["ref"] = content["ref"]
        close = reply.pop("close", None)
        if self.revoked:  # revoked while the frame was being checked
            return
        await self.send_json(reply)
        if close:
            await self.revoke(close)

    async def receive(
        self,
        text_data: str | None = None,
        bytes_data: bytes | None = None,
        **kwargs: object,
    ) -> None:
        if self.revoked:
            return
        if text_data is None:  # binary frames carry nothing we accept
            await self.send_json({"type": "error", "code": "invalid"})
            return
        await super().receive(text_data=text_data)

    async def decode_json(self, text_data: str) -> object:
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None

    async def chat_message(self, event: dict) -> None:
        await self.deliver(event["message"])

    async def chat_closed(self, event: dict) -> None:
        """A block closed one of her conversations: the page stops showing it."""
        await self.deliver(event["message"])
