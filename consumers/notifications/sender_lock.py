"""Whether a notification's sender is alive: a PostgreSQL advisory lock held while it sends.

A row in ``sending`` says that an attempt claimed it; the lock says whether that attempt is
still there. A sender takes a session-level advisory lock on a connection of its own before
its claim and keeps it until its mark is durable. PostgreSQL drops the lock with that
connection, so a process killed mid-send (kill -9, OOM, a lost host: its socket closes) lets
it go at once: the next attempt gets the lock, finds the row still ``sending`` and knows the
sender is gone, so it takes over now rather than after a lease (the retry tiers would be
spent waiting one out, and the record dead-lettered). An attempt that cannot get the lock
waits for the live sender, a bounded while, and never sends beside it.

The connection is in autocommit: no transaction stays open across the SMTP call.

What it does not cover: a sender whose own connection is cut (a PostgreSQL restart, a network
cut) while its process lives loses the lock; only a second attempt on the same record at that
very moment (two members owning one partition around a rebalance) could then send beside it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import structlog
from prometheus_client import Counter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

Sessions = async_sessionmaker[AsyncSession]
log = structlog.get_logger("orderflow.consumers.notifications")

# Long enough for a live sender to finish (the SMTP timeout, and the mark's retries usually a
# moment): a busy lock after this goes to the retry tiers as a transient failure.
LOCK_PATIENCE_SECONDS = 20.0
_NAMESPACE = "orderflow.notifications.sending"
_TRY = text("SELECT pg_try_advisory_lock(hashtext(:ns), hashtext(:key))")
_UNLOCK = text("SELECT pg_advisory_unlock(hashtext(:ns), hashtext(:key))")

TAKEOVERS = Counter(
    "orderflow_consumer_send_takeovers_total",
    "Notifications found 'sending' with no live sender (it died mid-send), sent again at once",
    ["group"],
)
SENDER_WAITS = Counter(
    "orderflow_consumer_send_lock_waits_total",
    "Attempts that found a live sender of the same notification and waited for it",
    ["group"],
)


@contextlib.asynccontextmanager
async def sender_lock(
    sessions: Sessions, message_id: str, group: str, patience: float = LOCK_PATIENCE_SECONDS
) -> AsyncIterator[bool]:
    """Hold the lock of ``message_id`` for the block; yields False when a live sender kept it
    for ``patience`` seconds."""
    params = {"ns": _NAMESPACE, "key": message_id}
    async with sessions() as session:
        connection = await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        held = await _acquire(connection, params, group, patience)
        try:
            yield held
        finally:
            if held:
                await _release(connection, params)


async def _acquire(
    connection: AsyncConnection, params: dict[str, Any], group: str, patience: float
) -> bool:
    deadline = time.monotonic() + patience
    pause = 0.05
    while not await connection.scalar(_TRY, params):
        if time.monotonic() >= deadline:
            return False
        if pause == 0.05:  # once per attempt
            SENDER_WAITS.labels(group).inc()
        await asyncio.sleep(pause)
        pause = min(pause * 2, 1.0)
    return True


async def _release(connection: AsyncConnection, params: dict[str, Any]) -> None:
    """Unlock; when that fails, drop the connection instead (the server then releases the
    lock): it must never go back to the pool still holding it."""
    try:
        await connection.execute(_UNLOCK, params)
    except BaseException as error:
        with contextlib.suppress(Exception):
            await connection.invalidate()
        if not isinstance(error, Exception):
            raise  # a cancellation goes on; a failed unlock is not the send's failure
        log.warning("sender_unlock_failed", message_id=params["key"], error=repr(error))
