"""Outbox rows for relay tests, written straight into ``outbox.events`` for any topic."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from outbox import lane_of, outbox_events


@dataclass(frozen=True)
class Workload:
    """``per_aggregate`` versions of each of ``aggregates`` keys on ``topic``."""

    topic: str
    aggregates: int
    per_aggregate: int
    payload_bytes: int = 200

    @property
    def total(self) -> int:
        """Rows in the workload."""
        return self.aggregates * self.per_aggregate

    def aggregate_ids(self) -> list[str]:
        """The aggregate ids (record keys)."""
        return [f"agg-{self.topic[-10:]}-{i:04d}" for i in range(self.aggregates)]


def outbox_row(topic: str, key: str, version: int, payload: bytes) -> dict[str, object]:
    """One outbox row carrying ``ce_id`` and ``aggregate_version`` headers."""
    event_id = uuid.uuid4()
    return {
        "event_id": event_id,
        "topic": topic,
        "key": key,
        "event_type": "test.Relayed",
        "event_version": 1,
        "aggregate_version": version,
        "lane": lane_of(key),
        "headers": {"ce_id": str(event_id), "aggregate_version": str(version)},
        "payload": payload,
    }


async def insert_rows(engine: AsyncEngine, rows: list[dict[str, object]]) -> None:
    """Insert ``rows`` in one transaction (one NOTIFY)."""
    async with engine.begin() as conn:
        await conn.execute(insert(outbox_events), rows)


async def insert_round(engine: AsyncEngine, work: Workload, version: int) -> None:
    """Version ``version`` of every aggregate, in random key order, in one transaction.

    Each aggregate's versions are inserted round after round, as serialized writers would.
    """
    keys = work.aggregate_ids()
    random.shuffle(keys)
    payload = b"x" * work.payload_bytes
    await insert_rows(engine, [outbox_row(work.topic, key, version, payload) for key in keys])


async def pending(engine: AsyncEngine, topic: str) -> int:
    """Rows of ``topic`` not yet published (parked ones included)."""
    async with engine.connect() as conn:
        count = await conn.scalar(
            text(
                "SELECT (SELECT count(*) FROM outbox.pending WHERE topic = :t)"
                " + (SELECT count(*) FROM outbox.parked WHERE topic = :t)"
            ),
            {"t": topic},
        )
    return int(count or 0)


# Every row of a key with its publish state: 'published', 'pending', or 'parked: <error>'.
_STATES = text(
    """
    SELECT e.aggregate_version AS version,
           CASE WHEN k.id IS NOT NULL THEN 'parked: ' || k.last_error
                WHEN p.id IS NOT NULL THEN 'pending'
                ELSE 'published' END AS state,
           coalesce(k.attempts, p.attempts, 0) AS attempts
    FROM outbox.events AS e
    LEFT JOIN outbox.pending AS p ON p.lane = e.lane AND p.id = e.id
    LEFT JOIN outbox.parked AS k ON k.id = e.id
    WHERE e.key = :key
    """
)


async def states_of(engine: AsyncEngine, key: str) -> dict[int, tuple[str, int]]:
    """``aggregate_version`` -> (publish state, times parked) of every row of ``key``."""
    async with engine.connect() as conn:
        result = await conn.execute(_STATES, {"key": key})
    return {row.version: (row.state, row.attempts) for row in result}


async def delete_key(engine: AsyncEngine, key: str) -> None:
    """Remove every row of ``key`` from the outbox, whatever its state."""
    async with engine.begin() as conn:
        for table in ("pending", "parked", "events"):
            await conn.execute(
                text(f"DELETE FROM outbox.{table} WHERE key = :k"),  # noqa: S608 - constant names
                {"k": key},
            )
