"""The relay publishes committed outbox rows with the right key and headers, then marks them."""

from __future__ import annotations

import asyncio
import uuid

from aiokafka.structs import ConsumerRecord
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domains.orders.api import OrderLine, OrdersUnitOfWork, PlaceOrder, place_order
from events import bind_message_context, decode_record
from foundation.database import create_sessions
from foundation.kafka import KafkaConnection
from foundation.producer import Producer
from orderflow.settings import Settings
from orderflow.topics import prepare_topics
from orderflow.wiring.deployment import deployed_consumers
from tests.integration.relay.waiting import relay_until
from tests.kafka_helpers import end_offsets, read_from
from tests.support.polling import eventually


async def test_the_relay_publishes_an_order_placed_record_keyed_by_the_order(
    settings: Settings,
    kafka: KafkaConnection,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    bind_message_context("corr-relay-test")
    order_id, record = await _place_and_relay(settings, kafka, engine, sessions)

    headers = dict(record.headers)
    assert headers["ce_type"] == b"orderflow.orders.OrderPlaced.v2"
    assert headers["correlation_id"] == b"corr-relay-test"
    assert headers["aggregate_version"] == b"1"
    decoded = decode_record(record.value, list(record.headers))
    assert decoded.event.order_id == order_id  # type: ignore[attr-defined]


async def test_the_record_names_the_build_that_wrote_the_event_not_the_relays(
    settings: Settings, kafka: KafkaConnection, engine: AsyncEngine
) -> None:
    # The writer runs a build of its own; the relay below runs this checkout's.
    writer = Producer("77.1.0", "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00", dirty=False)
    sessions = create_sessions(engine, settings.deployment.namespace(), producer=writer)
    _, record = await _place_and_relay(settings, kafka, engine, sessions)

    assert dict(record.headers)["ce_producerversion"] == b"orderflow/77.1.0+c0ffee00c0ff"
    decoded = decode_record(record.value, list(record.headers))
    assert decoded.envelope.producer_version == "orderflow/77.1.0+c0ffee00c0ff"


async def _place_and_relay(
    settings: Settings,
    kafka: KafkaConnection,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
) -> tuple[uuid.UUID, ConsumerRecord[bytes, bytes]]:
    """Place an order through ``sessions``, run a relay until its rows are published; the
    order's id and its record on Kafka."""
    await prepare_topics(settings, deployed_consumers(settings).values())
    topic = settings.deployment.namespace().topic("orders.order.v1")
    # Just created: on a broker that has just started it is missing from the metadata for a
    # while, and a start without its partitions would read nothing.
    start = await eventually(lambda: end_offsets(kafka, topic), 30, f"{topic} in the metadata")
    order = await place_order(
        PlaceOrder(uuid.uuid4(), "EUR", (OrderLine("SKU-1", 1, 100),)), OrdersUnitOfWork(sessions)
    )
    key = str(order.id).encode()

    async def published() -> bool:
        async with sessions() as session:
            waiting = await session.scalar(
                text("SELECT count(*) FROM outbox.pending WHERE key = :k"), {"k": str(order.id)}
            )
        return int(waiting or 0) == 0

    await relay_until(engine, kafka, published)
    records = await asyncio.wait_for(
        read_from(kafka, start, lambda rs: any(r.key == key for r in rs)), 20
    )
    (record,) = [r for r in records if r.key == key]
    return order.id, record
