"""A FastStream subscriber built with the kit, in memory and (same tests) on a real broker."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from faststream import Depends
from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from kit_tests.conftest import REAL_KAFKA, create_topics
from orderflow_events import (
    EventMetadata,
    OrderConfirmed,
    OrderPlaced,
    OrderPlacedV1,
    OrderShipped,
    encode,
)
from orderflow_events.faststream import EventRouter, Metadata
from orderflow_events.testing import publish_event, publish_record, raw_record, with_headers


async def event_id_of(meta: Metadata) -> uuid.UUID:
    return meta.event_id


EventId = Annotated[uuid.UUID, Depends(event_id_of)]
ORDER = uuid.UUID("0b8f3c52-6f5e-4a8e-9a55-2f7c1e0d9a11")


def confirmed(total_minor: int = 2500) -> OrderConfirmed:
    return OrderConfirmed(order_id=ORDER, payment_reference="auth_1", total_minor=total_minor)


def placed_v1() -> OrderPlacedV1:
    return OrderPlacedV1.model_validate(OrderPlacedV1.model_json_schema()["examples"][0])


@dataclass
class Loyalty:
    """A tiny subscriber: what it received, and its dead letters."""

    router: EventRouter
    received: list[tuple[Any, EventMetadata]] = field(default_factory=list)
    dead: list[tuple[bytes, dict[str, str]]] = field(default_factory=list)


def loyalty(prefix: str) -> Loyalty:
    service = Loyalty(EventRouter(group_id=f"{prefix}loyalty", prefix=prefix))

    @service.router.subscriber(OrderConfirmed)
    async def award(event: OrderConfirmed, meta: Metadata) -> None:
        service.received.append((event, meta))

    @service.router.subscriber(OrderPlaced)
    async def remember(event: OrderPlaced, meta: Metadata) -> None:
        service.received.append((event, meta))

    return service


@asynccontextmanager
async def running(service: Loyalty, mode: str, topics: list[str]) -> AsyncIterator[KafkaBroker]:
    """The service on a broker (in memory or real), with a reader of its dead letters."""
    broker = KafkaBroker(REAL_KAFKA or "localhost:9092")
    broker.include_router(service.router.kafka)
    dlq = service.router.dead_letter_topic

    async def raw_body(message: KafkaMessage) -> bytes:
        return bytes(message.body)

    @broker.subscriber(
        dlq, group_id=f"{dlq}-reader", auto_offset_reset="earliest", decoder=raw_body
    )
    async def read_dead_letters(message: KafkaMessage) -> None:
        service.dead.append((message.body, dict(message.headers)))

    if mode == "real":
        topics += [f"{dlq.removesuffix('loyalty.dlq')}orders.order.v1", dlq]
        await create_topics(topics)
    async with TestKafkaBroker(broker, with_real=mode == "real") as test_broker:
        yield test_broker


async def eventually(check: Callable[[], bool], timeout: float = 30.0) -> None:
    """Wait until ``check()`` holds (at once in memory: publishing there is synchronous)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.05)


Check = Callable[[], Awaitable[None]]


class TestSubscriber:
    """The same cases in memory and against a real broker (``mode``)."""

    async def test_a_handler_gets_the_typed_event_and_its_metadata(
        self, mode: str, prefix: str, topics: list[str]
    ) -> None:
        service = loyalty(prefix)
        async with running(service, mode, topics) as broker:
            record = await publish_event(
                broker,
                confirmed(),
                aggregate_version=3,
                correlation_id="c-1",
                topic_prefix=prefix,
                producer_version="orderflow/3.2.1+0123456789ab",
            )
            await eventually(lambda: len(service.received) == 1)

        ((event, meta),) = service.received
        assert event == confirmed()
        assert meta.event_id == uuid.UUID(record.headers["ce_id"])
        assert (meta.event_type, meta.version, meta.aggregate_version) == (
            "orders.OrderConfirmed",
            1,
            3,
        )
        assert (meta.key, meta.correlation_id, meta.topic) == (
            str(ORDER),
            "c-1",
            f"{prefix}orders.order.v1",
        )
        assert meta.source == "/orderflow/orders"
        assert meta.producer_version == "orderflow/3.2.1+0123456789ab"

    async def test_an_old_version_arrives_upcast_to_the_newest(
        self, mode: str, prefix: str, topics: list[str]
    ) -> None:
        service = loyalty(prefix)
        async with running(service, mode, topics) as broker:
            await publish_event(broker, placed_v1(), topic_prefix=prefix)
            await eventually(lambda: len(service.received) == 1)

        ((event, meta),) = service.received
        assert type(event) is OrderPlaced
        assert event.channel is None
        assert event.order_id == placed_v1().order_id
        assert meta.version == 1

    async def test_events_nobody_handles_are_skipped_and_undecodable_ones_dead_lettered(
        self, mode: str, prefix: str, topics: list[str]
    ) -> None:
        service = loyalty(prefix)
        topic = f"{prefix}orders.order.v1"
        good = encode(confirmed(), topic_prefix=prefix)
        shipped = OrderShipped(order_id=ORDER, shipment_id=uuid.uuid4())
        async with running(service, mode, topics) as broker:
            await publish_event(broker, shipped, topic_prefix=prefix)  # nobody handles it
            await publish_record(broker, raw_record(topic, b"not an event", key=b"k1"))
            await publish_record(
                broker, with_headers(good, ce_type="orderflow.orders.OrderConfirmed.v9")
            )
            await publish_record(broker, raw_record(topic, b"{", headers=good.headers))
            await publish_record(broker, good)
            await eventually(lambda: len(service.received) == 1 and len(service.dead) == 3)

        assert [event for event, _ in service.received] == [confirmed()]
        reasons = [headers["x-exception-reason"] for _, headers in service.dead]
        assert reasons == ["cannot_decode", "unknown_version", "cannot_decode"]
        (body, headers), *_ = service.dead
        assert body == b"not an event"
        assert headers["x-original-topic"] == topic
        assert headers["x-original-consumer-group"] == f"{prefix}loyalty"
        assert "ce_type header is missing" in headers["x-exception-message"]
        assert "upgrade orderflow-events" in service.dead[1][1]["x-exception-message"]

    async def test_a_handler_failure_is_not_a_dead_letter(
        self, mode: str, prefix: str, topics: list[str]
    ) -> None:
        service = Loyalty(EventRouter(group_id=f"{prefix}loyalty", prefix=prefix))
        attempts: list[int] = []

        @service.router.subscriber(OrderConfirmed)
        async def flaky(event: OrderConfirmed) -> None:
            attempts.append(event.total_minor)
            if len(attempts) < 3:
                raise ConnectionError("database unavailable")  # an outage, not the record's fault
            service.received.append((event, None))  # type: ignore[arg-type]

        async with running(service, mode, topics) as broker:
            if mode == "memory":  # in memory the error reaches the publisher: retry by hand
                for _ in range(2):
                    with pytest.raises(ConnectionError):
                        await publish_event(broker, confirmed(), topic_prefix=prefix)
            await publish_event(broker, confirmed(), topic_prefix=prefix)
            await eventually(lambda: len(service.received) == 1)

        assert len(attempts) == 3
        assert service.dead == []

    async def test_metadata_also_reaches_a_dependency_of_the_handler(
        self, mode: str, prefix: str, topics: list[str]
    ) -> None:
        service = Loyalty(EventRouter(group_id=f"{prefix}loyalty", prefix=prefix))

        @service.router.subscriber(OrderConfirmed)
        async def award(event: OrderConfirmed, event_id: EventId) -> None:
            service.received.append((event, event_id))  # type: ignore[arg-type]

        async with running(service, mode, topics) as broker:
            record = await publish_event(broker, confirmed(), topic_prefix=prefix)
            await eventually(lambda: len(service.received) == 1)

        ((event, event_id),) = service.received
        assert event == confirmed()
        assert event_id == uuid.UUID(record.headers["ce_id"])

    async def test_a_header_that_is_not_utf8_is_a_dead_letter(
        self, mode: str, prefix: str, topics: list[str]
    ) -> None:
        service = loyalty(prefix)
        good = encode(confirmed(), topic_prefix=prefix)
        bad_headers = [*good.header_list(), ("traceparent", b"\xff\xfe")]
        async with running(service, mode, topics) as broker:
            await _send_raw(broker, mode, good.topic, good.value, bad_headers)
            await publish_record(broker, good)
            await eventually(lambda: len(service.received) == 1 and len(service.dead) == 1)

        ((body, headers),) = service.dead
        assert body == good.value
        assert headers["x-exception-reason"] == "cannot_decode"
        assert headers["x-exception-message"] == "a header is not UTF-8"


async def _send_raw(
    broker: KafkaBroker, mode: str, topic: str, value: bytes, headers: list[tuple[str, bytes]]
) -> None:
    """A record with raw header bytes, which FastStream's publish cannot send."""
    if mode == "real":
        producer = AIOKafkaProducer(bootstrap_servers=REAL_KAFKA)
        await producer.start()
        try:
            await producer.send_and_wait(topic, value, key=b"k", headers=headers)
        finally:
            await producer.stop()
        return
    record = ConsumerRecord(  # what the consumer would hand FastStream
        topic=topic,
        partition=0,
        offset=0,
        timestamp=0,
        timestamp_type=0,
        key=b"k",
        value=value,
        checksum=None,
        serialized_key_size=1,
        serialized_value_size=len(value),
        headers=headers,
    )
    (subscriber,) = [s for s in broker.subscribers if topic in str(s.topics)]  # type: ignore[attr-defined]
    await subscriber.consume(record)


def test_subscribing_to_an_older_version_is_refused() -> None:
    router = EventRouter(group_id="loyalty")

    with pytest.raises(TypeError, match="subscribe to OrderPlaced"):
        router.subscriber(OrderPlacedV1)
