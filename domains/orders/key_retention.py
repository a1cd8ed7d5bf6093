"""Checkout Idempotency-Keys expire: completed keys older than the retention window are
deleted, a batch per short transaction.

A key exists so that a retried checkout gets the first answer instead of a second order. The
promise to clients is that a retry with the same key gets the same answer for a day (longer
than any client's retry window); keys are kept for the retention window, a week by default and
never less than that day. A key still ``in_progress`` is never deleted: reconciliation settles
it (see :mod:`domains.orders.reconciliation`). ``SKIP LOCKED``: a checkout that holds a key's
row is never waited for; its row goes in a later sweep. The old rows are found through the
BRIN index on ``created_at``.
"""

from __future__ import annotations

from datetime import timedelta

from prometheus_client import Counter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.orders.idempotency import COMPLETED

KEYS_DELETED = Counter(
    "orderflow_checkout_keys_deleted_total",
    "Checkout Idempotency-Keys deleted after the retention window",
)

_DELETE = text(
    """
    DELETE FROM orders.checkout_requests WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM orders.checkout_requests
        WHERE created_at < now() - CAST(:keep AS interval) AND status = :completed
        LIMIT :limit
        FOR UPDATE SKIP LOCKED
    ))
    """
)


async def delete_expired_keys(
    sessions: async_sessionmaker[AsyncSession], keep: timedelta, batch_size: int
) -> int:
    """Delete completed keys first used more than ``keep`` ago, ``batch_size`` per
    transaction; how many."""
    total = 0
    while True:
        async with sessions.begin() as session:
            result = await session.execute(
                _DELETE, {"keep": keep, "limit": batch_size, "completed": COMPLETED}
            )
        deleted = int(getattr(result, "rowcount", 0) or 0)
        KEYS_DELETED.inc(deleted)
        total += deleted
        if deleted < batch_size:
            return total
