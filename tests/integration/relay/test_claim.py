"""The claim on a database of its own: runs of each key's oldest rows, never past a busy key
or a parked row, never a row in flight."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from alembic import command
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from devtools.infrastructure import Infrastructure
from orderflow.cli.db import alembic_config
from outbox.append import lane_of
from outbox.claim import RUN_WINDOW, ClaimedRow, claim_batch
from tests.integration.relay.outbox_rows import insert_rows, outbox_row
from tests.support.databases import fresh_database

TOPIC = "test.claim"


def same_lane_keys(count: int) -> list[str]:
    """``count`` keys that share one lane, so that one lane's claim sees them all."""
    keys: dict[int, list[str]] = {}
    for i in range(10_000):
        found = keys.setdefault(lane_of(f"key-{i}"), [])
        found.append(f"key-{i}")
        if len(found) == count:
            return found
    raise AssertionError("no lane with enough keys")


@pytest.fixture
async def conn(infrastructure: Infrastructure) -> AsyncIterator[asyncpg.Connection]:
    """An asyncpg connection to a fresh, migrated database holding a, b, c x 5 versions,
    inserted round after round (a1 b1 c1 a2 b2 c2 ...)."""
    async with fresh_database(infrastructure.database_url, prefix="orderflow_claim") as url:
        await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
        engine = create_async_engine(url)
        for version in range(1, 6):
            rows = [outbox_row(TOPIC, key, version, b"x") for key in same_lane_keys(3)]
            await insert_rows(engine, rows)
        await engine.dispose()
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        connection = await asyncpg.connect(dsn)
        try:
            yield connection
        finally:
            await connection.close()


def claimed(rows: list[ClaimedRow]) -> list[tuple[str, int]]:
    """(key, version) of claimed rows, in claim order."""
    return [(row.key, int(dict(row.record.headers)["aggregate_version"])) for row in rows]


async def test_a_claim_takes_runs_of_the_oldest_keys_in_version_order(
    conn: asyncpg.Connection,
) -> None:
    a, b, _ = same_lane_keys(3)
    lane = lane_of(a)

    rows, more = await claim_batch(conn, [lane], limit=6)

    assert 6 * RUN_WINDOW >= 15  # the window sees every row of the lane
    assert claimed(rows) == [(a, 1), (b, 1), (a, 2), (a, 3), (a, 4), (a, 5)]
    assert more  # the lane had more than one claim takes


async def test_a_busy_key_and_rows_in_flight_are_left_alone(conn: asyncpg.Connection) -> None:
    a, b, c = same_lane_keys(3)
    first, _ = await claim_batch(conn, [lane_of(a)], limit=2)

    rows, _ = await claim_batch(
        conn, [lane_of(a)], limit=6, skip=[r.id for r in first], busy_keys=[a]
    )

    assert claimed(first) == [(a, 1), (a, 2)]
    assert claimed(rows) == [(b, 1), (c, 1), (b, 2), (b, 3), (b, 4), (b, 5)]


async def test_rows_after_a_parked_row_of_their_key_are_held(conn: asyncpg.Connection) -> None:
    a, b, c = same_lane_keys(3)
    await conn.execute(
        """
        WITH moved AS (
            DELETE FROM outbox.pending AS p USING outbox.events AS e
            WHERE e.id = p.id AND e.key = $1 AND e.aggregate_version = 3
            RETURNING p.id, p.lane, p.topic, p.key
        )
        INSERT INTO outbox.parked (id, lane, attempts, topic, key, last_error)
        SELECT id, lane, 1, topic, key, 'refused' FROM moved
        """,
        b,
    )

    rows, more = await claim_batch(conn, [lane_of(a)], limit=20, busy_keys=[a])

    assert claimed(rows) == [(b, 1), (c, 1), (b, 2), (c, 2), (c, 3), (c, 4), (c, 5)]
    assert not more
