"""The SQL of the relay: claim a batch, mark it published, park what the broker refuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from events import KafkaRecord


@dataclass(frozen=True)
class ClaimedRow:
    """One outbox row claimed for publishing."""

    id: int
    key: str
    created_at: datetime
    record: KafkaRecord


_CLAIM = text(
    """
    SELECT id, topic, key, headers, payload, created_at
    FROM outbox.events
    WHERE published_at IS NULL AND parked_at IS NULL AND lane = ANY(:lanes)
    ORDER BY id
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
    """
)
_MARK = text("UPDATE outbox.events SET published_at = now() WHERE id = ANY(:ids)")
_PARK = text(
    """
    UPDATE outbox.events
    SET parked_at = now(), attempts = attempts + 1, last_error = :error
    WHERE id = ANY(:ids)
    """
)


async def claim_batch(conn: AsyncConnection, lanes: list[int], limit: int) -> list[ClaimedRow]:
    """Lock up to ``limit`` unpublished rows of ``lanes``, oldest first."""
    result = await conn.execute(_CLAIM, {"lanes": lanes, "limit": limit})
    return [
        ClaimedRow(
            id=row.id,
            key=row.key,
            created_at=row.created_at,
            record=KafkaRecord(
                topic=row.topic,
                key=row.key.encode(),
                value=bytes(row.payload),
                headers=[(k, v.encode()) for k, v in row.headers.items()],
            ),
        )
        for row in result
    ]


async def mark_published(conn: AsyncConnection, ids: list[int]) -> None:
    """Record that the broker acknowledged ``ids``."""
    if ids:
        await conn.execute(_MARK, {"ids": ids})


async def park(conn: AsyncConnection, ids: list[int], error: str) -> None:
    """Take ``ids`` out of the relay's way, keeping the error for the operator."""
    if ids:
        await conn.execute(_PARK, {"ids": ids, "error": error[:2000]})
