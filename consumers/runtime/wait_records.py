"""``messaging.consumer_waits``: which consumer processes wait on the infrastructure, for status.

One row per group member (process) while it waits, refreshed every few seconds and deleted
when it recovers. Writing is best effort with a short timeout: when PostgreSQL itself is down
nothing can be written (``orderflow consumers status`` then says the database is unreachable),
and a row whose process died stays behind with an old ``updated_at`` until the group's next
start sweeps it.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import Column, DateTime, Integer, Table, Text, delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime.errors import describe
from consumers.runtime.inbox import metadata

log = structlog.get_logger("orderflow.consumers")

consumer_waits = Table(
    "consumer_waits",
    metadata,
    Column("consumer", Text, primary_key=True),
    Column("member", Text, primary_key=True),
    Column("since", DateTime(timezone=True), nullable=False),
    Column("cause", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("partitions", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

REPORT_EVERY_SECONDS = 5.0
WRITE_TIMEOUT_SECONDS = 2.0
# A row not refreshed for this long belongs to a process that is gone (or cut off).
STALE_AFTER = timedelta(seconds=60)
FORGOTTEN_AFTER = timedelta(hours=1)


class WaitReport:
    """Writes this process's wait for one group, at most every few seconds."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], group: str) -> None:
        self._sessions = sessions
        self._group = group
        self._member = f"{socket.gethostname()}:{os.getpid()}"
        self._last_write = float("-inf")
        self._written = False

    async def started(self) -> None:
        """Sweep rows of this group's members that are long gone."""
        cutoff = datetime.now(UTC) - FORGOTTEN_AFTER
        await self._write(
            lambda s: s.execute(
                delete(consumer_waits).where(
                    consumer_waits.c.consumer == self._group,
                    consumer_waits.c.updated_at < cutoff,
                )
            )
        )

    async def waiting(
        self, since: float, cause: str, error: BaseException, partitions: int
    ) -> None:
        """Record (or refresh) the wait in progress."""
        if time.monotonic() - self._last_write < REPORT_EVERY_SECONDS:
            return
        self._last_write = time.monotonic()
        values = {
            "since": datetime.fromtimestamp(since, UTC),
            "cause": cause,
            "message": describe(error),
            "partitions": partitions,
            "updated_at": func.now(),
        }
        statement = insert(consumer_waits).values(
            consumer=self._group, member=self._member, **values
        )
        upsert = statement.on_conflict_do_update(index_elements=["consumer", "member"], set_=values)
        self._written = await self._write(lambda s: s.execute(upsert)) or self._written

    async def recovered(self) -> None:
        """The wait is over: remove the row (if one was written)."""
        self._last_write = float("-inf")
        if not self._written:
            return
        mine = delete(consumer_waits).where(
            consumer_waits.c.consumer == self._group, consumer_waits.c.member == self._member
        )
        self._written = not await self._write(lambda s: s.execute(mine))

    async def _write(self, change: Callable[[AsyncSession], Awaitable[Any]]) -> bool:
        try:
            async with asyncio.timeout(WRITE_TIMEOUT_SECONDS), self._sessions.begin() as session:
                await change(session)
        except Exception as error:  # best effort: the database may be what is down
            log.debug("wait_not_recorded", group=self._group, error=describe(error))
            return False
        return True


async def current_waits(session: AsyncSession) -> dict[str, list[dict[str, Any]]]:
    """The waits recorded per group, each with ``stale`` (its process stopped reporting)."""
    now = await session.scalar(select(func.now()))
    assert now is not None
    rows = (await session.execute(select(consumer_waits))).mappings()
    found: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        entry = {**row, "stale": now - row["updated_at"] > STALE_AFTER}
        found.setdefault(row["consumer"], []).append(entry)
    return found
