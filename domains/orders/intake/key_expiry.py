"""Intake Idempotency-Keys expire: keys first used more than ``KEY_TTL`` (24 h) ago count as
unused (``domains.orders.intake.keyed``) and are deleted, a batch per short transaction.

Only the key goes: the (client, external reference) pair it answered stays in
``orders.submissions`` for good, so a retry after the key expired (with it or with a new key)
is still answered from the first submission, never a second order. ``SKIP LOCKED``: a
request binding an expired key anew holds its row and is never waited for; the BRIN index on
``created_at`` finds the old rows.
"""

from __future__ import annotations

from datetime import timedelta

from prometheus_client import Counter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.orders.intake.keyed import KEY_TTL

INTAKE_KEYS_DELETED = Counter(
    "orderflow_intake_keys_deleted_total",
    "Intake (POST /v1/orders) Idempotency-Keys deleted once expired",
)

_DELETE = text(
    """
    DELETE FROM orders.intake_keys WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM orders.intake_keys
        WHERE created_at < now() - CAST(:keep AS interval)
        LIMIT :limit
        FOR UPDATE SKIP LOCKED
    ))
    """
)


async def delete_expired_intake_keys(
    sessions: async_sessionmaker[AsyncSession], batch_size: int, keep: timedelta = KEY_TTL
) -> int:
    """Delete keys first used more than ``keep`` ago, ``batch_size`` per transaction; how many."""
    total = 0
    while True:
        async with sessions.begin() as session:
            result = await session.execute(_DELETE, {"keep": keep, "limit": batch_size})
        deleted = int(getattr(result, "rowcount", 0) or 0)
        INTAKE_KEYS_DELETED.inc(deleted)
        total += deleted
        if deleted < batch_size:
            return total
