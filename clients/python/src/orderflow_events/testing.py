"""Test helpers: records exactly as orderflow publishes them, for FastStream's TestKafkaBroker
(in memory) or a real broker.

    async with TestKafkaBroker(broker) as br:
        await publish_event(br, OrderConfirmed(order_id=oid, payment_reference="p", total_minor=25))
        award_points.mock.assert_called_once()
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from faststream.kafka import KafkaBroker

from orderflow_events.base import Event
from orderflow_events.cloudevents import Record, encode


async def publish_record(broker: KafkaBroker, record: Record) -> None:
    """Publish ``record`` (value, key and headers as they are) through ``broker``."""
    await broker.publish(record.value, record.topic, key=record.key, headers=record.headers)


async def publish_event(
    broker: KafkaBroker,
    event: Event,
    *,
    event_id: uuid.UUID | None = None,
    time: datetime | None = None,
    aggregate_version: int = 1,
    correlation_id: str | None = None,
    causation_id: str | None = None,
    topic_prefix: str = "",
    producer_version: str | None = None,
) -> Record:
    """Publish ``event`` as orderflow's relay would; returns the record (its ``ce_id`` etc.)."""
    record = encode(
        event,
        event_id=event_id,
        time=time,
        aggregate_version=aggregate_version,
        correlation_id=correlation_id,
        causation_id=causation_id,
        topic_prefix=topic_prefix,
        producer_version=producer_version,
    )
    await publish_record(broker, record)
    return record


def raw_record(
    topic: str, value: bytes, *, key: bytes = b"", headers: dict[str, str] | None = None
) -> Record:
    """Any record at all: e.g. one that is not an orderflow event, to test dead letters."""
    return Record(topic, key, value, dict(headers or {}))


def with_headers(record: Record, **changes: Any) -> Record:
    """``record`` with headers replaced (``None`` removes one), e.g. an unknown version."""
    headers = {**record.headers, **{k: v for k, v in changes.items() if v is not None}}
    for name in (k for k, v in changes.items() if v is None):
        headers.pop(name, None)
    return Record(record.topic, record.key, record.value, headers)
