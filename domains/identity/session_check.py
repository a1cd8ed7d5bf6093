"""Is this token's session still open? Asked on every authenticated request, answered from a
short-lived per-process cache in front of one primary-key look-up.

The bound: a session ended at time T (log-out, refresh-token reuse, new password, new roles,
deletion) is refused by every API process for every request that starts after
T + ``ttl_seconds``, because no process keeps an answer longer than that (strictly: plus the
duration of a look-up already running at T, whose answer is stored when it returns). With the
default of 2 s a busy user costs one indexed query per process every 2 s; ``ttl_seconds=0``
asks on every request. ``FreshnessCache`` is independent of users: any kind of token whose validity
lives in PostgreSQL (a service client's, say) can put its own look-up behind one.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, Protocol, TypeVar

from cachetools import TTLCache
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.identity.tables import sessions

K = TypeVar("K", bound=Hashable)
MAX_ENTRIES = 100_000  # ~10 MB at most; the least recently stored answer goes first


class FreshnessCache(Generic[K]):
    """``answer(key)`` from ``look_up``, remembered for ``ttl_seconds`` (not at all when 0)."""

    def __init__(
        self,
        look_up: Callable[[K], Awaitable[bool]],
        ttl_seconds: float,
        *,
        size: int = MAX_ENTRIES,
    ) -> None:
        self._look_up = look_up
        self._ttl = ttl_seconds
        self._answers: TTLCache[K, bool] = TTLCache(
            maxsize=size, ttl=max(ttl_seconds, 1e-9), timer=time.monotonic
        )

    async def answer(self, key: K) -> bool:
        """The cached answer for ``key`` while it is fresh, else a new look-up."""
        if self._ttl > 0:
            cached = self._answers.get(key)
            if cached is not None:
                return cached
        fresh = await self._look_up(key)
        if self._ttl > 0:
            self._answers[key] = fresh
        return fresh


class SessionCheck(Protocol):
    """Whether a session is open; the HTTP edge asks it for every bearer token."""

    async def is_open(self, session_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        """True while ``session_id`` of ``user_id`` has neither ended nor expired."""
        ...


class OpenSessions:
    """:class:`SessionCheck` on PostgreSQL through a :class:`FreshnessCache`."""

    def __init__(self, db: async_sessionmaker[AsyncSession], ttl_seconds: float) -> None:
        self._db = db
        self._cache: FreshnessCache[tuple[uuid.UUID, uuid.UUID]] = FreshnessCache(
            self._look_up, ttl_seconds
        )

    async def is_open(self, session_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        """True while ``session_id`` of ``user_id`` is open (answer at most ``ttl`` old)."""
        return await self._cache.answer((session_id, user_id))

    async def _look_up(self, key: tuple[uuid.UUID, uuid.UUID]) -> bool:
        session_id, user_id = key
        query = select(sessions.c.id).where(
            sessions.c.id == session_id,
            sessions.c.user_id == user_id,
            sessions.c.ended_at.is_(None),
            sessions.c.expires_at > func.now(),
        )
        async with self._db() as db:
            return (await db.scalar(query)) is not None
