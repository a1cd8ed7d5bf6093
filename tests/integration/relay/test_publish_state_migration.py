"""Migration 0018 moves each row's publish state into the narrow tables, and back."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from devtools.infrastructure import Infrastructure
from orderflow.cli.db import alembic_config
from outbox import lane_of
from tests.support.databases import fresh_database

# (aggregate_version, state before 0018) of one key: published, parked (twice), held, pending.
KEY = "agg-migrated"
BEFORE = """
    INSERT INTO outbox.events (event_id, topic, key, event_type, event_version,
        aggregate_version, lane, headers, payload, published_at, parked_at, attempts, last_error)
    VALUES (:event_id, 't', :key, 'test.E', 1, :version, :lane, CAST(:headers AS jsonb), '\\x00',
        :published, :parked, :attempts, :error)
"""
AT = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
# (version, published_at, parked_at, attempts, last_error)
ROWS: list[tuple[int, datetime | None, datetime | None, int, str | None]] = [
    (1, AT, None, 0, None),
    (2, None, AT, 2, "too large"),
    (3, None, None, 0, None),
]
STATES = """
    SELECT e.aggregate_version AS v,
           EXISTS (SELECT FROM outbox.pending AS p WHERE p.id = e.id) AS pending,
           (SELECT k.attempts || ' ' || k.last_error FROM outbox.parked AS k
            WHERE k.id = e.id) AS parked
    FROM outbox.events AS e ORDER BY e.aggregate_version
"""
COLUMNS = """
    SELECT aggregate_version AS v, published_at IS NOT NULL AS published,
           parked_at IS NOT NULL AS parked, attempts, last_error
    FROM outbox.events ORDER BY aggregate_version
"""


async def test_pending_parked_and_published_rows_survive_the_upgrade_and_the_downgrade(
    infrastructure: Infrastructure,
) -> None:
    async with fresh_database(infrastructure.database_url, prefix="orderflow_mig18") as url:
        config = alembic_config(url)
        await asyncio.to_thread(command.upgrade, config, "0017")
        engine = create_async_engine(url)
        try:
            async with engine.begin() as conn:
                await _insert_before(conn)
            await asyncio.to_thread(command.upgrade, config, "0018")
            async with engine.connect() as conn:
                after = [tuple(row) for row in await conn.execute(text(STATES))]
            await asyncio.to_thread(command.downgrade, config, "0017")
            async with engine.connect() as conn:
                back = [tuple(row) for row in await conn.execute(text(COLUMNS))]
        finally:
            await engine.dispose()

    assert after == [(1, False, None), (2, False, "2 too large"), (3, True, None)]
    assert back == [(1, True, False, 0, None), (2, False, True, 2, "too large"),
                    (3, False, False, 0, None)]  # fmt: skip


async def _insert_before(conn: AsyncConnection) -> None:
    for version, published, parked, attempts, error in ROWS:
        event_id = uuid.uuid4()
        await conn.execute(
            text(BEFORE),
            {
                "event_id": event_id,
                "key": KEY,
                "version": version,
                "lane": lane_of(KEY),
                "headers": json.dumps({"ce_id": str(event_id)}),
                "published": published,
                "parked": parked,
                "attempts": attempts,
                "error": error,
            },
        )
