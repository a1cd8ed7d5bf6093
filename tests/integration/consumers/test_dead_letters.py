"""Poison records go to the group's DLQ at once, with every header; the consumer keeps going."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime import (
    Consumer,
    MessageContext,
    PermanentError,
    dead_letter_topic,
)
from consumers.runtime import headers as h
from events import KafkaRecord
from events.schemas import OrderPlaced
from foundation.kafka import KafkaConnection
from tests.integration.consumers.support import (
    RunningConsumer,
    create_topic,
    headers_of,
    order_placed,
    produce,
    read_all,
)
from tests.support.polling import eventually


class Recorder:
    """A handler remembering the events it saw; refuses the customers in ``refuse``."""

    def __init__(self) -> None:
        self.seen: list[uuid.UUID] = []
        self.refuse: set[uuid.UUID] = set()

    async def __call__(self, event: OrderPlaced, ctx: MessageContext) -> None:
        if event.customer_id in self.refuse:
            raise PermanentError(f"customer {event.customer_id} is blocked")
        self.seen.append(ctx.envelope.event_id)


async def test_poison_goes_to_the_dlq_with_all_headers_and_the_consumer_keeps_going(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    topic = await create_topic(kafka, f"test.poison.{unique}")
    group = f"test-poison-{unique}"
    _, valid = order_placed()
    garbage = KafkaRecord(topic, b"order-1", b"{not json", [*valid.headers])
    unknown = KafkaRecord(topic, b"order-2", b"{}", [("ce_type", b"orderflow.nope.Nope.v1")])
    after_id, after = order_placed()
    await produce(kafka, topic, garbage, unknown, after)
    recorder = Recorder()

    async with RunningConsumer(Consumer(group, (topic,), {OrderPlaced: recorder}), sessions, kafka):
        dead = await read_all(kafka, dead_letter_topic(group), 2)
        await eventually(_async(lambda: after_id in recorder.seen), what="next record handled")

    first = headers_of(dead[0])
    assert dead[0].value == b"{not json"
    assert dead[0].key == b"order-1"
    assert first["ce_id"] == headers_of(_consumed(valid))["ce_id"]  # original headers kept
    assert first[h.ORIGINAL_TOPIC] == topic
    assert first[h.ORIGINAL_PARTITION] == "0"
    assert first[h.ORIGINAL_OFFSET] == "0"
    assert int(first[h.ORIGINAL_TIMESTAMP]) > 0
    assert first[h.ORIGINAL_CONSUMER_GROUP] == group
    assert first[h.EXCEPTION_TYPE] == "PoisonMessage"
    assert first[h.EXCEPTION_REASON] == "cannot_decode"
    assert "not JSON" in first[h.EXCEPTION_MESSAGE]
    assert "PoisonMessage" in first[h.EXCEPTION_STACKTRACE]
    assert first[h.EXCEPTION_ATTEMPTS] == "1"
    assert first[h.EXCEPTION_FIRST_FAILURE_AT].endswith("+00:00")
    assert h.RETRY_TIER not in first
    assert headers_of(dead[1])[h.EXCEPTION_REASON] == "unknown_type"
    assert headers_of(dead[1])[h.ORIGINAL_OFFSET] == "1"


async def test_a_declared_permanent_error_is_dead_lettered_at_once(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    topic = await create_topic(kafka, f"test.permanent.{unique}")
    group = f"test-permanent-{unique}"
    blocked = uuid.uuid4()
    bad_id, bad = order_placed(customer_id=blocked)
    good_id, good = order_placed()
    await produce(kafka, topic, bad, good)
    recorder = Recorder()
    recorder.refuse.add(blocked)

    async with RunningConsumer(Consumer(group, (topic,), {OrderPlaced: recorder}), sessions, kafka):
        (dead,) = await read_all(kafka, dead_letter_topic(group), 1)
        await eventually(_async(lambda: good_id in recorder.seen), what="next record handled")

    headers = headers_of(dead)
    assert headers["ce_id"] == str(bad_id)
    assert headers[h.EXCEPTION_REASON] == "permanent"
    assert headers[h.EXCEPTION_TYPE] == "PermanentError"
    assert headers[h.EXCEPTION_ATTEMPTS] == "1"  # a permanent error is not retried in process
    assert bad_id not in recorder.seen


def _consumed(record: KafkaRecord) -> object:
    class _View:
        headers = record.headers

    return _View()


def _async(check: Callable[[], object]) -> Callable[[], Awaitable[bool]]:
    async def run() -> bool:
        return bool(check())

    return run
