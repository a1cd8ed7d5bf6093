"""Append events to the outbox inside the caller's transaction."""

from __future__ import annotations

import zlib

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from events import Envelope, IntegrationEvent, new_envelope
from events.codec import encode_headers
from foundation.database import namespace_of, producer_of
from outbox.tables import LANES, outbox_events


def lane_of(key: str) -> int:
    """The lane of a record key: stable across processes and releases."""
    return zlib.crc32(key.encode()) % LANES


def _row(envelope: Envelope) -> dict[str, object]:
    return {
        "event_id": envelope.event_id,
        "topic": envelope.topic,
        "key": envelope.key,
        "event_type": envelope.event_type,
        "event_version": envelope.version,
        "aggregate_version": envelope.aggregate_version,
        "lane": lane_of(envelope.key),
        "headers": {name: value.decode() for name, value in encode_headers(envelope)},
        "payload": envelope.payload,
    }


async def append_envelope(session: AsyncSession, *envelopes: Envelope) -> None:
    """Insert ready-made envelopes; they commit (or roll back) with ``session``."""
    if envelopes:
        await session.execute(insert(outbox_events), [_row(e) for e in envelopes])


async def append(
    session: AsyncSession, event: IntegrationEvent, *, aggregate_version: int
) -> Envelope:
    """Validate ``event`` against its registered schema and add it to the outbox.

    Raises before anything is written when the event is unregistered or invalid.
    """
    envelope = new_envelope(
        event,
        aggregate_version=aggregate_version,
        namespace=namespace_of(session),
        producer=producer_of(session),
    )
    await append_envelope(session, envelope)
    return envelope
