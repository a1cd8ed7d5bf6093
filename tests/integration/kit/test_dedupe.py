"""The kit's dedupe helper on the real PostgreSQL: an event id is applied once, even when two
deliveries of it race, and a rolled-back effect leaves the event to be applied again."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import MetaData, Table
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from orderflow_events import EventMetadata
from orderflow_events.dedupe import first_delivery, processed_events_table


def _meta() -> EventMetadata:
    return EventMetadata(
        event_id=uuid.uuid4(),
        event_type="orders.OrderConfirmed",
        version=1,
        source="/orderflow/orders",
        time=datetime.now(UTC),
        key="k",
        correlation_id="c",
        causation_id=None,
        traceparent=None,
        aggregate_version=1,
    )


@pytest.fixture
async def processed(engine: AsyncEngine, unique: str) -> AsyncIterator[Table]:
    schema = f"kit_dedupe_{unique}"
    table = processed_events_table(MetaData(), schema=schema)
    async with engine.begin() as connection:
        await connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        await connection.run_sync(table.metadata.create_all)
    yield table
    async with engine.begin() as connection:
        await connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')


async def test_two_racing_deliveries_apply_the_event_once(
    sessions: async_sessionmaker[AsyncSession], processed: Table
) -> None:
    meta = _meta()
    async with sessions.begin() as first:
        assert await first_delivery(first, processed, meta)
        async with sessions.begin() as second:
            racing = asyncio.create_task(first_delivery(second, processed, meta))
            await asyncio.sleep(0.3)
            assert not racing.done()  # it waits for the first transaction to decide
            await first.commit()
            assert await racing is False


async def test_a_rolled_back_effect_leaves_the_event_to_apply_again(
    sessions: async_sessionmaker[AsyncSession], processed: Table
) -> None:
    meta = _meta()
    async with sessions() as session:
        async with session.begin():
            assert await first_delivery(session, processed, meta)
            await session.rollback()  # the effect failed: nothing is remembered
        async with session.begin():
            assert await first_delivery(session, processed, meta)
        async with session.begin():
            assert not await first_delivery(session, processed, meta)
