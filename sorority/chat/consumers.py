"""Chat over WebSocket: pushes stored messages, accepts `send` through the service.

Authorised on connect and again on every inbound frame with the same rule as the
pages (`access_denial(user, Access.MEMBER)`), so a person banned or demoted while
connected can no longer write. Each person listens on her own group `user.<id>`;
services broadcast there after commit, never the consumer itself.
"""

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from sorority.core.access import Access
from sorority.core.errors import ApplicationError

CLOSE_UNAUTHORISED = 4401
CLOSE_FORBIDDEN = 4403


def _user_by_token(token: str) -> object | None:
    from allauth.headless.internal.sessionkit import authenticate_by_x_session_token

    result = authenticate_by_x_session_token(token)
    return result.user if result else None


def _allowed(user: object) -> bool:
    from sorority.accounts.policies import access_denial

    return access_denial(user, Access.MEMBER) is None  # type: ignore[arg-type]


def _connect_check(user: object, token: str | None) -> tuple[object, bool]:
    if token and not getattr(user, "is_authenticated", False):
        user = _user_by_token(token) or user
    return user, _allowed(user)


def _send(user_id: int, conversation_id: object, text: object) -> dict:
    """Reload her (state may have changed), re-check the rule, then store."""
    from sorority.accounts.models import User
    from sorority.chat.services import message_payload, message_send

    try:
        user = User.objects.get(pk=user_id)
    except User.DoesNotExist:
        user = None
    if user is None or not _allowed(user):
        return {"type": "error", "code": "forbidden", "close": True}
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


class ChatConsumer(AsyncJsonWebsocketConsumer):
    user_id: int | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        headers = dict(self.scope.get("headers", []))
        token = (query.get("token") or [None])[0] or (
            headers.get(b"x-session-token", b"").decode("latin-1") or None
        )
        user, allowed = await database_sync_to_async(_connect_check)(user, token)
        if not allowed:
            await self.close(
                code=CLOSE_FORBIDDEN
                if getattr(user, "is_authenticated", False)
                else CLOSE_UNAUTHORISED
            )
            return
        self.user_id = user.pk  # type: ignore[attr-defined]
        await self.channel_layer.group_add(f"user.{self.user_id}", self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.user_id is not None:
            await self.channel_layer.group_discard(
                f"user.{self.user_id}", self.channel_name
            )

    async def receive_json(self, content: object, **kwargs: object) -> None:
        if self.user_id is None:
            await self.close(code=CLOSE_UNAUTHORISED)
            return
        if not isinstance(content, dict) or content.get("type") != "send":
            await self.send_json({"type": "error", "code": "invalid"})
            return
        reply = await database_sync_to_async(_send)(
            self.user_id, content.get("conversation"), content.get("text")
        )
        if "ref" in content and isinstance(content["ref"], str | int):
            reply["ref"] = content["ref"]
        if reply.pop("close", False):
            await self.send_json(reply)
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.send_json(reply)

    async def receive(
        self,
        text_data: str | None = None,
        bytes_data: bytes | None = None,
        **kwargs: object,
    ) -> None:
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
        await self.send_json(event["message"])

    async def chat_closed(self, event: dict) -> None:
        """A block closed one of her conversations: the page stops showing it."""
        await self.send_json(event["message"])
