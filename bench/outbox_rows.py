"""Outbox rows for the relay benchmark, written with COPY as the relay's input."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from outbox.append import lane_of

CHUNK = 5_000
COLUMNS = [
    "event_id",
    "topic",
    "key",
    "event_type",
    "event_version",
    "aggregate_version",
    "lane",
    "headers",
    "payload",
]


@dataclass(frozen=True)
class Load:
    """Rows of one scenario: ``events`` rows round-robin over ``aggregates`` keys."""

    topic: str
    aggregates: int
    payload: bytes

    def row(self, i: int) -> tuple[Any, ...]:
        """The ``i``-th row; version ``i // aggregates + 1`` of key ``i % aggregates``."""
        event_id = uuid.uuid4()
        key = f"bench-{i % self.aggregates:06d}"
        version = i // self.aggregates + 1
        headers = json.dumps({"ce_id": str(event_id), "aggregate_version": str(version)})
        return (event_id, self.topic, key, "bench.Event", 1, version, lane_of(key), headers,
                self.payload)  # fmt: skip


async def insert(dsn: str, load: Load, start: int, count: int) -> None:
    """Insert ``count`` rows with COPY, ``CHUNK`` per transaction."""
    conn = await asyncpg.connect(dsn)
    try:
        for first in range(start, start + count, CHUNK):
            rows = [load.row(i) for i in range(first, min(first + CHUNK, start + count))]
            await conn.copy_records_to_table(
                "events", schema_name="outbox", columns=COLUMNS, records=rows
            )
    finally:
        await conn.close()
