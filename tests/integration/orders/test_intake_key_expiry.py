"""Intake Idempotency-Keys expire: keys older than their 24 h go, a batch per transaction,
without waiting for a request that holds one; younger keys and every submission stay."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domains.orders.api import delete_expired_intake_keys


async def _keys(engine: AsyncEngine, client: uuid.UUID, count: int, age: timedelta) -> list[str]:
    keys = [str(uuid.uuid4()) for _ in range(count)]
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO orders.intake_keys "
                "(client_id, idempotency_key, request_hash, external_reference, created_at) "
                "SELECT :c, k, 'h', 'ref-' || k, now() - CAST(:age AS interval) "
                "FROM unnest(CAST(:keys AS text[])) AS k"
            ),
            {"c": client, "keys": keys, "age": age},
        )
    return keys


async def _left(engine: AsyncEngine, client: uuid.UUID) -> int:
    async with engine.connect() as conn:
        sql = text("SELECT count(*) FROM orders.intake_keys WHERE client_id = :c")
        return int(await conn.scalar(sql, {"c": client}) or 0)


def _deleted_total() -> float:
    return REGISTRY.get_sample_value("orderflow_intake_keys_deleted_total") or 0


async def test_expired_intake_keys_go_in_batches_and_held_or_young_ones_stay(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    client = uuid.uuid4()
    old = await _keys(engine, client, 12, timedelta(hours=25))
    await _keys(engine, client, 4, timedelta(hours=23))  # still answering retries
    before = _deleted_total()

    async with engine.connect() as request, request.begin():
        await request.execute(  # a request binding an expired key anew holds its row
            text(
                "SELECT 1 FROM orders.intake_keys "
                "WHERE client_id = :c AND idempotency_key = :k FOR UPDATE"
            ),
            {"c": client, "k": old[0]},
        )
        deleted = await asyncio.wait_for(delete_expired_intake_keys(sessions, batch_size=5), 10)
        assert await _left(engine, client) == 5

    assert deleted >= 11
    assert _deleted_total() - before == deleted
    await delete_expired_intake_keys(sessions, batch_size=5)
    assert await _left(engine, client) == 4
