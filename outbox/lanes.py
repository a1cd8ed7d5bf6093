"""Lane ownership through PostgreSQL session advisory locks.

Each relay keeps one dedicated connection. On it, it holds advisory locks on the lanes it
publishes and LISTENs for outbox notifications. When the connection drops, PostgreSQL
releases the locks, and another relay picks the lanes up on its next refresh.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg

from outbox import metrics
from outbox.tables import LANES

# The first key of the two-int advisory lock space: "outbox lanes".
LOCK_CLASS = 0x0B0C
CHANNEL = "outbox_events"


class LaneLocks:
    """The lanes this process holds, on its own listening connection."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._conn: asyncpg.Connection | None = None
        self.held: list[int] = []

    async def refresh(self, on_notify: Callable[..., Any]) -> None:
        """(Re)connect when needed and try to take every lane nobody holds."""
        if self._conn is None or self._conn.is_closed():
            self.held = []
            self._conn = await asyncpg.connect(self._dsn)
            await self._conn.add_listener(CHANNEL, on_notify)
        if len(self.held) == LANES:
            return
        free = [lane for lane in range(LANES) if lane not in self.held]
        rows = await self._conn.fetch(
            "SELECT lane FROM unnest($1::int[]) AS lane WHERE pg_try_advisory_lock($2, lane)",
            free,
            LOCK_CLASS,
        )
        self.held = sorted([*self.held, *(row["lane"] for row in rows)])
        metrics.LANES_HELD.set(len(self.held))

    async def release(self) -> None:
        """Give every lane back and close the connection."""
        if self._conn is not None and not self._conn.is_closed():
            await self._conn.close()
        self._conn = None
        self.held = []
        metrics.LANES_HELD.set(0)
