"""Outbox rows for relay tests, written straight into ``outbox.events`` for any topic."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

from sqlalchemy import func, insert, select
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
            select(func.count())
            .select_from(outbox_events)
            .where(outbox_events.c.topic == topic, outbox_events.c.published_at.is_(None))
        )
    return int(count or 0)
