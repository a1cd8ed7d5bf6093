"""Where a notification's sending stands: durably in its row, and in this process's memory.

A row moves ``pending`` → ``sending`` (claimed just before the SMTP call) → ``sent``, or back
to ``pending`` (the server said "later"), or to ``failed`` (refused for good). The SMTP call
cannot share a transaction with the row, so the marks after it are where a database blip
hurts: a failed ``sent`` mark must never make the email go out again. So the mark is retried
with backoff, and this process remembers (:class:`SendLedger`) that the server accepted the
message: if the database stays away for longer than the retries, the batch waits and the
next run of the effect finds the ledger's answer and only marks the row, however long the
outage lasted.

What remains (by design, documented in the README): a process that dies (kill -9, OOM, power)
after the server accepted a message and before the ``sent`` mark is durable leaves the row in
``sending``; its lock died with it (:mod:`consumers.notifications.sender_lock`), so the next
attempt takes over and sends it again with the same Message-ID. Real SMTP servers do not
deduplicate by Message-ID, so the customer may get it twice. SMTP itself has the same hole
(RFC 5321, 6.1: a connection lost after the final "." and before the reply leaves the client
unable to know), and only a provider API with idempotency keys could close it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tenacity import AsyncRetrying, retry_if_exception, stop_after_delay, wait_exponential

from consumers.notifications.tables import notifications
from consumers.runtime import OutcomeLedger, PermanentError, describe, infrastructure_cause

Sessions = async_sessionmaker[AsyncSession]

# How long one run of the effect retries a mark before the batch waits for the database.
MARK_PATIENCE_SECONDS = 15.0


class SendLedger(OutcomeLedger[bool]):
    """The sends this process made whose outcome may not be in the database yet: True, the
    server accepted the message; False, the attempt ended without it; None, not known here."""


async def unsent(sessions: Sessions, event_id: object) -> list[dict[str, Any]]:
    """The notifications of ``event_id`` not sent yet."""
    query = select(notifications).where(
        notifications.c.event_id == event_id, notifications.c.status != "sent"
    )
    async with sessions() as session:
        return [dict(row) for row in (await session.execute(query)).mappings()]


async def current(sessions: Sessions, message_id: str) -> dict[str, Any] | None:
    """The row of ``message_id`` as it is now (None: gone)."""
    query = select(notifications).where(notifications.c.message_id == message_id)
    async with sessions() as session:
        row = (await session.execute(query)).mappings().first()
    return None if row is None else dict(row)


async def claim(sessions: Sessions, row: dict[str, Any]) -> bool:
    """Move ``row`` to ``sending`` if nobody changed it since it was read."""
    seen = notifications.c.last_attempt_at
    unchanged = seen.is_(None) if row["last_attempt_at"] is None else seen == row["last_attempt_at"]
    statement = (
        update(notifications)
        .where(
            notifications.c.message_id == row["message_id"],
            notifications.c.status == row["status"],
            unchanged,
        )
        .values(
            status="sending",
            attempts=notifications.c.attempts + 1,
            last_attempt_at=func.now(),
            last_error=None,
        )
        .returning(notifications.c.message_id)
    )
    async with sessions.begin() as session:
        return (await session.execute(statement)).first() is not None


class Marks:
    """The marks after a send, each retried on database failures for ``patience`` seconds."""

    def __init__(self, patience: float = MARK_PATIENCE_SECONDS) -> None:
        self._patience = patience

    async def sent(self, sessions: Sessions, message_id: str) -> None:
        """Record that the server accepted ``message_id``."""
        await self._mark(sessions, message_id, {"status": "sent", "sent_at": func.now()})

    async def not_sent(self, sessions: Sessions, message_id: str, error: BaseException) -> None:
        """Record a refused send: ``failed`` for good, else ``pending`` for the next attempt."""
        status = "failed" if isinstance(error, PermanentError) else "pending"
        await self._mark(sessions, message_id, {"status": status, "last_error": describe(error)})

    async def _mark(self, sessions: Sessions, message_id: str, values: dict[str, Any]) -> None:
        retrying = AsyncRetrying(
            retry=retry_if_exception(lambda e: infrastructure_cause(e) is not None),
            wait=wait_exponential(multiplier=0.2, max=3.0),
            stop=stop_after_delay(self._patience),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                async with sessions.begin() as session:
                    await session.execute(
                        update(notifications)
                        .where(notifications.c.message_id == message_id)
                        .values(values)
                    )
