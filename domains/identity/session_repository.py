"""Sessions and their refresh tokens in PostgreSQL."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domains.identity.tables import refresh_tokens, sessions, users


@dataclass(frozen=True)
class PresentedRefresh:
    """A refresh token row and its session, locked until the transaction ends."""

    session_id: uuid.UUID
    user_id: uuid.UUID
    token_expires_at: datetime
    used_at: datetime | None
    session_expires_at: datetime
    ended_at: datetime | None


class SessionRepository:
    """Sessions (one per log-in) and the rotating refresh tokens inside them."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def open(
        self, user_id: uuid.UUID, user_version: int, now: datetime, expires_at: datetime
    ) -> uuid.UUID | None:
        """A new session, only if the user is still at ``user_version`` (None otherwise): a
        log-in that checked the old password cannot outlive a concurrent password change."""
        session_id = uuid.uuid4()
        source = select(literal(session_id), users.c.id, literal(now), literal(expires_at)).where(
            users.c.id == user_id, users.c.version == user_version
        )
        statement = (
            insert(sessions)
            .from_select(["id", "user_id", "created_at", "expires_at"], source)
            .returning(sessions.c.id)
        )
        opened: uuid.UUID | None = (await self._session.execute(statement)).scalar_one_or_none()
        return opened

    async def add_refresh_token(
        self, token_hash: bytes, session_id: uuid.UUID, now: datetime, expires_at: datetime
    ) -> None:
        """Store a new refresh token (its hash) of ``session_id``."""
        await self._session.execute(
            insert(refresh_tokens).values(
                token_hash=token_hash, session_id=session_id, issued_at=now, expires_at=expires_at
            )
        )

    async def lock_refresh_token(self, token_hash: bytes) -> PresentedRefresh | None:
        """The refresh token with ``token_hash`` and its session, both locked; None if unknown."""
        query = (
            select(
                refresh_tokens.c.session_id,
                sessions.c.user_id,
                refresh_tokens.c.expires_at.label("token_expires_at"),
                refresh_tokens.c.used_at,
                sessions.c.expires_at.label("session_expires_at"),
                sessions.c.ended_at,
            )
            .join(sessions, sessions.c.id == refresh_tokens.c.session_id)
            .where(refresh_tokens.c.token_hash == token_hash)
            .with_for_update()
        )
        row = (await self._session.execute(query)).first()
        return None if row is None else PresentedRefresh(**row._mapping)

    async def spend_refresh_token(self, token_hash: bytes, now: datetime) -> None:
        """Mark a refresh token used: it was rotated."""
        await self._session.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.token_hash == token_hash)
            .values(used_at=now)
        )

    async def end(self, session_id: uuid.UUID, now: datetime, reason: str) -> None:
        """End one session (no-op when it has ended)."""
        await self._session.execute(
            update(sessions)
            .where(sessions.c.id == session_id, sessions.c.ended_at.is_(None))
            .values(ended_at=now, end_reason=reason)
        )

    async def end_all(self, user_id: uuid.UUID, now: datetime, reason: str) -> int:
        """End every open session of ``user_id``; how many there were."""
        result = await self._session.execute(
            update(sessions)
            .where(sessions.c.user_id == user_id, sessions.c.ended_at.is_(None))
            .values(ended_at=now, end_reason=reason)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
