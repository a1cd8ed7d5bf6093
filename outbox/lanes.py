"""Fair lane ownership through PostgreSQL session advisory locks.

Rows are spread over ``LANES`` lanes by a hash of their key. A relay publishes only the lanes
it holds a session advisory lock ``(LOCK_CLASS, lane)`` for, so one key is only ever
published by one relay at a time, oldest row first.

Fairness: each relay also holds one *membership* lock ``(MEMBER_CLASS, backend pid)`` on the
same connection. Counting the granted membership locks in ``pg_locks`` gives the number of
live relays ``n`` with no table and no heartbeat; each relay then holds at most
``ceil(LANES / n)`` lanes. On every refresh (about once a second) a relay above its share
gives back its surplus lanes (between batches, after everything in flight was acknowledged
and marked) and a relay below its share tries the free ones. A relay that joins is therefore
served within about two refresh periods.

Failure: a dead relay's connection closes (``kill -9`` closes the socket at once; a network
partition ends with the TCP keepalive), PostgreSQL drops both its lane locks and its
membership lock, the survivors' share grows and they take the lanes on their next refresh.
A relay whose own connection breaks forgets its lanes immediately and stops publishing them.

The same connection LISTENs on ``CHANNEL``; it is re-created (locks and listener) after
PostgreSQL restarts.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg

from outbox import metrics
from outbox.tables import LANES

# The first key of the two-int advisory lock space: "outbox lanes" and "live relays".
LOCK_CLASS = 0x0B0C
MEMBER_CLASS = 0x0B0D
CHANNEL = "outbox_events"
APPLICATION_PREFIX = "orderflow-relay"

_ADVISORY = """
    FROM pg_locks
    WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid::bigint = $1
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""
_COUNT_MEMBERS = "SELECT count(*)" + _ADVISORY
# LIMIT stops pulling rows, so no more locks are taken than needed.
_TAKE = """
    SELECT lane FROM unnest($1::int[]) AS lane
    WHERE pg_try_advisory_lock($2, lane)
    LIMIT $3
"""


# What a lost lock connection raises. A server that shuts down sends its FATAL message before
# it closes the socket; a query issued in between finds asyncpg's protocol still consuming that
# error and fails with InternalClientError ("cannot switch to state 12; another operation (2)
# is in progress", asyncpg#1069): that connection is as gone as a closed one.
CONNECTION_LOST = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    OSError,
)


def fair_share(lanes: int, relays: int) -> int:
    """The most lanes one of ``relays`` live relays may hold."""
    return -(-lanes // max(1, relays))


def application_name() -> str:
    """How a relay's lock connection shows up in ``pg_stat_activity``: host and pid."""
    return f"{APPLICATION_PREFIX} {socket.gethostname()} pid={os.getpid()}"[:63]


class LaneLocks:
    """The lanes this process holds, on its own listening connection."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._conn: asyncpg.Connection | None = None
        self.held: list[int] = []

    async def refresh(
        self,
        on_notify: Callable[..., Any],
        before_give_back: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """(Re)connect when needed, then move towards this relay's fair share of lanes.

        ``before_give_back`` runs before any lane is given back: the caller finishes what it
        sent of those lanes, so that the next owner does not publish their later rows first.

        Raises the connection error after forgetting every lane when PostgreSQL is gone.
        """
        async with self._forget_all_when_lost():
            conn = await self._connection(on_notify)
            share = fair_share(LANES, await conn.fetchval(_COUNT_MEMBERS, MEMBER_CLASS))
        if len(self.held) > share and before_give_back is not None:
            # Outside the guard: a failure to finish the batches is no reason to drop the lanes.
            await before_give_back()
        async with self._forget_all_when_lost():
            if len(self.held) > share:
                await self._give_back(conn, self.held[share:])
            elif len(self.held) < share:
                await self._take(conn, share - len(self.held))
        metrics.LANES_HELD.set(len(self.held))

    @contextlib.asynccontextmanager
    async def _forget_all_when_lost(self) -> AsyncIterator[None]:
        """A lost lock connection lost its locks: hold no lane any longer, then re-raise."""
        try:
            yield
        except CONNECTION_LOST:
            await self.release()
            raise

    async def _connection(self, on_notify: Callable[..., Any]) -> asyncpg.Connection:
        if self._conn is not None and not self._conn.is_closed():
            return self._conn
        self.held = []
        self._conn = await asyncpg.connect(
            self._dsn, server_settings={"application_name": application_name()}
        )
        await self._conn.execute("SELECT pg_advisory_lock($1, pg_backend_pid())", MEMBER_CLASS)
        await self._conn.add_listener(CHANNEL, on_notify)
        return self._conn

    async def _take(self, conn: asyncpg.Connection, wanted: int) -> None:
        # Start at a per-process offset so that relays joining together rarely collide.
        start = os.getpid() % LANES
        order = [(start + i) % LANES for i in range(LANES)]
        free = [lane for lane in order if lane not in self.held]
        rows = await conn.fetch(_TAKE, free, LOCK_CLASS, wanted)
        self.held = sorted([*self.held, *(row["lane"] for row in rows)])

    async def _give_back(self, conn: asyncpg.Connection, lanes: list[int]) -> None:
        await conn.execute(
            "SELECT pg_advisory_unlock($2, lane) FROM unnest($1::int[]) AS lane",
            lanes,
            LOCK_CLASS,
        )
        self.held = [lane for lane in self.held if lane not in lanes]

    def wants_refresh(self) -> bool:
        """Whether the connection is gone (the lanes with it)."""
        return self._conn is None or self._conn.is_closed()

    async def release(self) -> None:
        """Give every lane back and close the connection."""
        conn, self._conn, self.held = self._conn, None, []
        metrics.LANES_HELD.set(0)
        if conn is not None and not conn.is_closed():
            try:
                await conn.close(timeout=5)
            except (*CONNECTION_LOST, TimeoutError):
                conn.terminate()
