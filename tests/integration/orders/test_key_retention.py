"""Checkout Idempotency-Keys expire: completed keys older than the retention window go, a batch
per transaction, without waiting for a checkout that holds one; keys in progress stay."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domains.orders.api import delete_expired_keys

KEEP = timedelta(days=7)


async def _keys(
    engine: AsyncEngine, customer: uuid.UUID, count: int, age: timedelta, status: str
) -> list[str]:
    keys = [str(uuid.uuid4()) for _ in range(count)]
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO orders.checkout_requests "
                "(customer_id, idempotency_key, request_hash, status, created_at, completed_at) "
                "SELECT :c, unnest(CAST(:keys AS text[])), 'h', :s, now() - CAST(:age AS interval),"
                " CASE WHEN :s = 'completed' THEN now() - CAST(:age AS interval) END"
            ),
            {"c": customer, "keys": keys, "s": status, "age": age},
        )
    return keys


async def _left(engine: AsyncEngine, customer: uuid.UUID) -> dict[str, int]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT status, count(*) FROM orders.checkout_requests "
                "WHERE customer_id = :c GROUP BY status"
            ),
            {"c": customer},
        )
        return {status: int(n) for status, n in rows}


def _deleted_total() -> float:
    return REGISTRY.get_sample_value("orderflow_checkout_keys_deleted_total") or 0


async def test_expired_keys_go_in_batches_and_keys_in_progress_or_held_stay(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    customer = uuid.uuid4()
    old = await _keys(engine, customer, 12, timedelta(days=10), "completed")
    await _keys(engine, customer, 3, timedelta(days=10), "in_progress")  # reconciliation's
    await _keys(engine, customer, 5, timedelta(days=6), "completed")  # inside the window
    before = _deleted_total()

    async with engine.connect() as checkout, checkout.begin():
        await checkout.execute(  # a retry of one old key holds its row
            text(
                "SELECT 1 FROM orders.checkout_requests "
                "WHERE customer_id = :c AND idempotency_key = :k FOR UPDATE"
            ),
            {"c": customer, "k": old[0]},
        )
        deleted = await asyncio.wait_for(delete_expired_keys(sessions, KEEP, batch_size=5), 10)
        assert await _left(engine, customer) == {"completed": 6, "in_progress": 3}

    assert deleted >= 11
    assert _deleted_total() - before == deleted
    await delete_expired_keys(sessions, KEEP, batch_size=5)
    assert await _left(engine, customer) == {"completed": 5, "in_progress": 3}
