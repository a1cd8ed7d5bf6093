"""Read-only views of the outbox for gauges and ``orderflow outbox status``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from outbox.lanes import LOCK_CLASS
from outbox.tables import LANES

_DEPTH = text("SELECT count(*) FROM outbox.pending")
# The oldest pending row of each lane through the primary key of outbox.pending: never a
# scan of the retained published rows.
_OLDEST = text(
    """
    SELECT EXTRACT(EPOCH FROM now() - min(e.created_at))::float8
    FROM generate_series(0, :lanes - 1) AS l(lane)
    CROSS JOIN LATERAL (
        SELECT id FROM outbox.pending WHERE lane = l.lane ORDER BY id LIMIT 1
    ) AS p
    JOIN outbox.events AS e ON e.id = p.id
    """
)
_PARKED_COUNT = text("SELECT count(*) FROM outbox.parked")
_PARKED = text(
    """
    SELECT k.id, k.topic, k.key, e.aggregate_version, k.attempts, k.last_error, k.parked_at
    FROM outbox.parked AS k JOIN outbox.events AS e ON e.id = k.id
    ORDER BY k.id LIMIT :limit
    """
)
_HELD = text(
    """
    SELECT count(*) FROM outbox.pending AS p
    WHERE EXISTS (
        SELECT FROM outbox.parked AS k
        WHERE k.topic = p.topic AND k.key = p.key AND k.id < p.id)
    """
)
# Published = retained in outbox.events and in neither state table.
_TOPICS = text(
    """
    WITH pending AS (SELECT topic, count(*) AS n FROM outbox.pending GROUP BY topic),
         parked AS (SELECT topic, count(*) AS n FROM outbox.parked GROUP BY topic),
         stored AS (SELECT topic, count(*) AS n FROM outbox.events GROUP BY topic)
    SELECT s.topic,
           coalesce(p.n, 0) AS pending,
           coalesce(k.n, 0) AS parked,
           s.n - coalesce(p.n, 0) - coalesce(k.n, 0) AS published
    FROM stored AS s
    LEFT JOIN pending AS p ON p.topic = s.topic
    LEFT JOIN parked AS k ON k.topic = s.topic
    ORDER BY s.topic
    """
)
_HOLDERS = text(
    """
    SELECT l.objid::int AS lane, a.pid, a.application_name,
           host(a.client_addr) AS client_addr, a.backend_start
    FROM pg_locks AS l JOIN pg_stat_activity AS a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
      AND l.classid::bigint = :lock_class
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    ORDER BY lane
    """
)


@dataclass(frozen=True)
class Gauges:
    """The figures the relay exports as gauges."""

    depth: int
    oldest_age_seconds: float
    parked: int


@dataclass(frozen=True)
class LaneHolder:
    """One lane and the relay connection holding it."""

    lane: int
    backend_pid: int
    application_name: str
    client_addr: str | None
    connected_at: datetime


async def read_gauges(conn: AsyncConnection) -> Gauges:
    """Depth, age of the oldest pending row (0 when none) and parked rows."""
    depth = await conn.scalar(_DEPTH)
    oldest = await conn.scalar(_OLDEST, {"lanes": LANES})
    parked = await conn.scalar(_PARKED_COUNT)
    return Gauges(depth=depth or 0, oldest_age_seconds=oldest or 0.0, parked=parked or 0)


async def held_count(conn: AsyncConnection) -> int:
    """Pending rows waiting behind a parked row of their key."""
    return int(await conn.scalar(_HELD) or 0)


async def parked_rows(conn: AsyncConnection, limit: int = 50) -> list[dict[str, object]]:
    """The oldest parked rows with their errors."""
    result = await conn.execute(_PARKED, {"limit": limit})
    return [dict(row._mapping) for row in result]


async def topic_counts(conn: AsyncConnection) -> list[dict[str, object]]:
    """Pending, parked and retained published rows per topic."""
    result = await conn.execute(_TOPICS)
    return [dict(row._mapping) for row in result]


async def lane_holders(conn: AsyncConnection) -> list[LaneHolder]:
    """Which relay connection holds which lane, from ``pg_locks`` and ``pg_stat_activity``."""
    result = await conn.execute(_HOLDERS, {"lock_class": LOCK_CLASS})
    return [
        LaneHolder(
            lane=row.lane,
            backend_pid=row.pid,
            application_name=row.application_name or "",
            client_addr=row.client_addr,
            connected_at=row.backend_start,
        )
        for row in result
    ]


async def outbox_status(conn: AsyncConnection, parked_limit: int = 50) -> dict[str, object]:
    """Everything ``orderflow outbox status`` shows, JSON-ready except datetimes."""
    gauges = await read_gauges(conn)
    return {
        "depth": gauges.depth,
        "oldest_unpublished_age_seconds": round(gauges.oldest_age_seconds, 3),
        "parked": gauges.parked,
        "held_behind_parked": await held_count(conn),
        "topics": await topic_counts(conn),
        "parked_rows": await parked_rows(conn, parked_limit),
        "lanes": [holder.__dict__ for holder in await lane_holders(conn)],
        "lane_count": LANES,
    }
