"""The project's session engine: Django's database sessions that announce their end.

`SESSION_ENGINE = "sorority.core.sessions"`. Every way a session ends goes through
the store's `delete()`: Django's `logout()` and `flush()` (sign-out, quick exit,
erasure, moderator idle timeout), allauth's "sign out everywhere" (`UserSession.end`)
and app-token logout (`DELETE /_allauth/app/v1/auth/session`), a rotated key
(`cycle_key`, on login or password change). Once the deletion commits, the sockets
opened with that session are closed (`sorority.core.realtime`, docs/security.md).
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from sorority.core import realtime


class SessionStore(DatabaseSessionStore):
    _rotating_from: str | None = None

    def delete(self, session_key: str | None = None) -> None:
        key = session_key or self.session_key
        super().delete(session_key)
        if key:
            realtime.session_ended(key, rotated=key == self._rotating_from)

    async def adelete(self, session_key: str | None = None) -> None:
        key = session_key or self.session_key
        await super().adelete(session_key)
        if key:
            from asgiref.sync import sync_to_async

            await sync_to_async(realtime.session_ended)(
                key, rotated=key == self._rotating_from
            )

    def cycle_key(self) -> None:
        """Same data under a new key: her sockets reconnect rather than stay revoked."""
        self._rotating_from = self.session_key
        try:
            super().cycle_key()
        finally:
            self._rotating_from = None

    async def acycle_key(self) -> None:
        self._rotating_from = self.session_key
        try:
            await super().acycle_key()
        finally:
            self._rotating_from = None
