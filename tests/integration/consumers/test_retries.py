"""Transient failures climb the retry tiers without blocking the main partition."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime import (
    Consumer,
    MessageContext,
    PermanentError,
    RetryPolicy,
    TransientError,
    dead_letter_topic,
    retry_topic,
)
from consumers.runtime import headers as h
from events import KafkaRecord
from events.schemas import OrderPlaced
from foundation.kafka import KafkaConnection
from tests.integration.consumers.support import (
    FAST,
    RunningConsumer,
    committed,
    create_topic,
    headers_of,
    order_placed,
    produce,
    read_all,
    record_test_email,
    scalar,
    topic_size,
)
from tests.support.polling import eventually


class Flaky:
    """Fails with ``error`` for the first ``failures`` calls per event, then records the email."""

    def __init__(
        self,
        failures: int,
        error: type[Exception] = TransientError,
        only: set[uuid.UUID] | None = None,
    ) -> None:
        self.failures, self.error, self.only = failures, error, only
        self.calls: dict[uuid.UUID, int] = {}
        self.handled_at: dict[uuid.UUID, float] = {}
        self.handled_on: dict[uuid.UUID, datetime] = {}  # wall clock, as retry headers say

    async def __call__(self, event: OrderPlaced, ctx: MessageContext) -> None:
        event_id = ctx.envelope.event_id
        self.calls[event_id] = self.calls.get(event_id, 0) + 1
        failing = self.only is None or event_id in self.only
        if failing and self.calls[event_id] <= self.failures:
            raise self.error(f"attempt {self.calls[event_id]} failed")
        await record_test_email(event, ctx)
        self.handled_at[event_id] = time.monotonic()
        self.handled_on[event_id] = datetime.now(UTC)


async def _emails(sessions: async_sessionmaker[AsyncSession], event_id: uuid.UUID) -> int:
    sql = "SELECT count(*) FROM notifications.notifications WHERE event_id = :id"
    return int(await scalar(sessions, sql, id=event_id))


async def test_a_transient_failure_is_retried_from_a_tier_and_then_succeeds_once(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    topic = await create_topic(kafka, f"test.transient.{unique}")
    group = f"test-transient-{unique}"
    event_id, record = order_placed()
    await produce(kafka, topic, record)
    flaky = Flaky(failures=4)  # fast path + 2 quick attempts on the main topic, 1 on tier 1

    async with RunningConsumer(Consumer(group, (topic,), {OrderPlaced: flaky}), sessions, kafka):
        await eventually(lambda: _has(flaky.handled_at, event_id), what="handled after retry")
        (retried,) = await read_all(kafka, retry_topic(group, 1), 1)
        await eventually(lambda: _committed_to(kafka, group, retry_topic(group, 1), 1))

    headers = headers_of(retried)
    assert headers[h.RETRY_TIER] == "1"
    assert headers[h.ORIGINAL_TOPIC] == topic
    assert headers[h.ORIGINAL_OFFSET] == "0"
    assert headers[h.EXCEPTION_REASON] == "transient"
    assert headers[h.EXCEPTION_TYPE] == "TransientError"
    assert headers[h.EXCEPTION_ATTEMPTS] == "2"
    assert datetime.fromisoformat(headers[h.RETRY_NOT_BEFORE]) > datetime.fromisoformat(
        headers[h.EXCEPTION_FIRST_FAILURE_AT]
    )
    assert retried.value == record.value
    assert retried.key == record.key
    assert await _emails(sessions, event_id) == 1
    assert await topic_size(kafka, dead_letter_topic(group)) == 0


async def test_a_persistent_failure_is_dead_lettered_after_the_last_tier(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    topic = await create_topic(kafka, f"test.persistent.{unique}")
    group = f"test-persistent-{unique}"
    event_id, record = order_placed()
    await produce(kafka, topic, record)
    flaky = Flaky(failures=10_000, error=ConnectionError)

    async with RunningConsumer(Consumer(group, (topic,), {OrderPlaced: flaky}), sessions, kafka):
        (dead,) = await read_all(kafka, dead_letter_topic(group), 1)
        (tier1,) = await read_all(kafka, retry_topic(group, 1), 1)
        (tier2,) = await read_all(kafka, retry_topic(group, 2), 1)

    headers = headers_of(dead)
    assert headers[h.EXCEPTION_REASON] == "retries_exhausted"
    assert headers[h.EXCEPTION_TYPE] == "ConnectionError"
    assert headers[h.ORIGINAL_TOPIC] == topic  # the FIRST record, not the retry tier
    assert headers[h.ORIGINAL_OFFSET] == "0"
    assert headers[h.ORIGINAL_CONSUMER_GROUP] == group
    assert headers[h.EXCEPTION_ATTEMPTS] == str(3 * FAST.quick_attempts)
    first_failure = headers_of(tier1)[h.EXCEPTION_FIRST_FAILURE_AT]
    assert headers[h.EXCEPTION_FIRST_FAILURE_AT] == first_failure
    assert headers_of(tier2)[h.RETRY_TIER] == "2"
    assert h.RETRY_TIER not in headers
    assert h.RETRY_NOT_BEFORE not in headers
    assert headers["ce_id"] == str(event_id)
    assert await _emails(sessions, event_id) == 0
    assert await scalar(
        sessions, "SELECT reason FROM messaging.consumer_errors WHERE consumer = :g", g=group
    ) == ("retries_exhausted")


async def test_a_waiting_retry_does_not_block_the_main_topic(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    topic = await create_topic(kafka, f"test.nonblocking.{unique}")
    group = f"test-nonblocking-{unique}"
    slow_id, slow = order_placed()
    await produce(kafka, topic, slow)
    flaky = Flaky(failures=3, only={slow_id})  # goes to tier 1, succeeds there
    policy = RetryPolicy(tier_delays=(4.0,), quick_attempts=2, quick_backoff_seconds=0.01)

    async with RunningConsumer(
        Consumer(group, (topic,), {OrderPlaced: flaky}), sessions, kafka, policy
    ):
        (retried,) = await read_all(kafka, retry_topic(group, 1), 1)
        fast_id, fast = order_placed()
        await produce(kafka, topic, fast)
        await eventually(lambda: _has(flaky.handled_at, fast_id), what="main topic handled")
        await eventually(lambda: _has(flaky.handled_at, slow_id), what="retry handled")

    # Judged by the retry record's own due time (not by when the test saw it: under load the
    # test may see it late): the retry waited for it, the main topic did not.
    due = datetime.fromisoformat(headers_of(retried)[h.RETRY_NOT_BEFORE])
    assert flaky.handled_on[slow_id] >= due
    assert flaky.handled_on[fast_id] < due  # not stuck behind the 4 s retry


async def test_a_replayed_record_is_deduplicated_and_keeps_its_replay_count(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    topic = await create_topic(kafka, f"test.replay.{unique}")
    group = f"test-replay-{unique}"
    done_id, done = order_placed()
    await produce(kafka, topic, done)
    flaky = Flaky(failures=0)
    blocked = uuid.uuid4()
    refused_id, refused = order_placed(customer_id=blocked)

    async def handler(event: OrderPlaced, ctx: MessageContext) -> None:
        if event.customer_id == blocked:
            raise PermanentError("still blocked")
        await flaky(event, ctx)

    async with RunningConsumer(Consumer(group, (topic,), {OrderPlaced: handler}), sessions, kafka):
        await eventually(lambda: _has(flaky.handled_at, done_id), what="first delivery")
        now = datetime.now(UTC)
        await produce(
            kafka,
            retry_topic(group, 1),
            _replayed(done, "r-1", now),
            _replayed(refused, "r-2", now - timedelta(seconds=1)),
        )
        (dead,) = await read_all(kafka, dead_letter_topic(group), 1)
        await eventually(lambda: _committed_to(kafka, group, retry_topic(group, 1), 2))

    assert flaky.calls[done_id] == 1  # the replay of a handled event is a duplicate
    assert await _emails(sessions, done_id) == 1
    headers = headers_of(dead)
    assert headers["ce_id"] == str(refused_id)
    assert headers[h.REPLAY_COUNT] == "2"
    assert headers[h.REPLAY_ID] == "r-2"
    assert headers[h.ORIGINAL_TOPIC] == "orders.order.v1"  # kept from the replayed record


def _replayed(record: KafkaRecord, replay_id: str, not_before: datetime) -> KafkaRecord:
    extra = {
        h.ORIGINAL_TOPIC: "orders.order.v1",
        h.ORIGINAL_PARTITION: "0",
        h.ORIGINAL_OFFSET: "41",
        h.ORIGINAL_TIMESTAMP: "0",
        h.ORIGINAL_CONSUMER_GROUP: "whoever",
        h.EXCEPTION_ATTEMPTS: "3",
        h.RETRY_NOT_BEFORE: not_before.isoformat(),
        h.REPLAY_ID: replay_id,
        h.REPLAY_COUNT: "2",
    }
    headers = [*record.headers, *((k, v.encode()) for k, v in extra.items())]
    return KafkaRecord(record.topic, record.key, record.value, headers)


async def _has(mapping: dict[uuid.UUID, float], key: uuid.UUID) -> bool:
    return key in mapping


async def _committed_to(kafka: KafkaConnection, group: str, topic: str, offset: int) -> bool:
    return await committed(kafka, group, topic) >= offset
