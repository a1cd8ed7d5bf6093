"""Crafted records never stall a partition: each is dead-lettered (or, when not even its dead
letter can be written, quarantined in PostgreSQL) and the records behind it are handled."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka.structs import ConsumerRecord
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime import Consumer, MessageContext, dead_letter_topic, retry_topic
from consumers.runtime import headers as h
from events import KafkaRecord
from events.schemas import OrderPlaced
from foundation.kafka import KafkaConnection
from producers import TopicSpec, ensure_topics
from tests.integration.consumers.support import (
    FAST,
    RunningConsumer,
    create_topic,
    order_placed,
    produce,
    read_all,
    topic_size,
)
from tests.support.polling import eventually

# The producer's (and the broker's default) limit on one record batch.
ONE_MEGABYTE = 1_048_576


class Seen:
    """A handler remembering the event ids it handled."""

    def __init__(self) -> None:
        self.ids: list[uuid.UUID] = []

    async def __call__(self, event: OrderPlaced, ctx: MessageContext) -> None:
        self.ids.append(ctx.envelope.event_id)

    async def has(self, event_id: uuid.UUID) -> bool:
        """Whether ``event_id`` was handled (for ``eventually``)."""
        return event_id in self.ids


def _changed(record: KafkaRecord, **headers: bytes) -> KafkaRecord:
    """``record`` with ``headers`` replaced (names with ``_`` for ``-``) or added."""
    names = {k.replace("__", "-"): v for k, v in headers.items()}
    kept = [(n, v) for n, v in record.headers if n not in names]
    return KafkaRecord(record.topic, record.key, record.value, kept + list(names.items()))


async def test_crafted_headers_are_dead_lettered_and_the_partition_moves_on(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    topic = await create_topic(kafka, f"test.crafted.{unique}")
    group = f"test-crafted-{unique}"
    base = [order_placed()[1] for _ in range(6)]
    crafted = [
        _changed(base[0], ce_type=b"orderflow.orders.OrderPlaced.v" + b"9" * 4400),
        _changed(base[1], ce_type="orderflow.orders.OrderPlaced.v²".encode()),
        _changed(base[2], aggregate_version=b"9" * 5000),
        # poison (not JSON) with a forged, huge attempt count and first-failure time
        KafkaRecord(
            topic,
            b"k" * 200_000,  # a huge key
            b"{not json",
            [
                *base[3].headers,
                (h.EXCEPTION_ATTEMPTS, b"9" * 5000),
                (h.EXCEPTION_FIRST_FAILURE_AT, b"\xff\xfe"),
            ],
        ),
        _changed(base[4], ce_id=b"\xff\xfe\xfd"),  # a header that is not UTF-8
        KafkaRecord(  # duplicated headers: the last one counts, and it is unknown
            topic, b"dup", base[5].value, [*base[5].headers, ("ce_type", b"orderflow.x.Y.v1")]
        ),
    ]
    after_id, after = order_placed()
    await produce(kafka, topic, *crafted, after)
    seen = Seen()

    async with RunningConsumer(Consumer(group, (topic,), {OrderPlaced: seen}), sessions, kafka):
        dead = await read_all(kafka, dead_letter_topic(group), len(crafted))
        await eventually(lambda: seen.has(after_id), what="the record behind them handled")

    reasons = [_header(d, h.EXCEPTION_REASON) for d in dead]
    assert reasons == [
        "unknown_type",
        "unknown_type",
        "cannot_decode",
        "cannot_decode",
        "cannot_decode",
        "unknown_type",
    ]
    assert [int(_header(d, h.ORIGINAL_OFFSET)) for d in dead] == list(range(6))
    forged = dict(dead[3].headers or ())
    assert forged[h.EXCEPTION_ATTEMPTS] == b"1"
    assert dead[3].key == b"k" * 200_000
    assert seen.ids == [after_id]


async def test_a_forged_retry_time_waits_no_longer_than_the_tier(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    topic = await create_topic(kafka, f"test.forged.{unique}")
    group = f"test-forged-{unique}"
    await create_topic(kafka, retry_topic(group, 1))
    far_id, far = order_placed()
    garbage_id, garbage = order_placed()
    forever = (datetime.now(UTC) + timedelta(days=3650)).isoformat().encode()
    on_tier = [
        _changed(far, x__retry__not__before=forever),
        _changed(garbage, x__retry__not__before=b"9" * 10_000),
    ]
    await produce(kafka, retry_topic(group, 1), *on_tier)
    seen = Seen()

    async with RunningConsumer(Consumer(group, (topic,), {OrderPlaced: seen}), sessions, kafka):
        # FAST's first tier waits 0.5 s: far less than the ten years the header asks for.
        await eventually(lambda: seen.has(garbage_id), timeout=20, what="both handled")

    assert seen.ids == [far_id, garbage_id]


async def test_a_record_whose_dead_letter_is_too_large_is_quarantined(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    topic = await create_topic(kafka, f"test.huge.{unique}")
    group = f"test-huge-{unique}"
    _, valid = order_placed()
    # Poison (not JSON) that fits the broker with 300 bytes to spare, while its dead letter,
    # carrying the x-original-* and x-exception-* headers (well over 300 bytes), does not.
    headers = sum(len(n) + len(v) for n, v in valid.headers)
    value = b"{" + b"x" * (ONE_MEGABYTE - 300 - headers)
    huge = KafkaRecord(topic, b"order-huge", value, valid.headers)
    after_id, after = order_placed()
    await produce(kafka, topic, huge, after)
    seen = Seen()

    async with RunningConsumer(Consumer(group, (topic,), {OrderPlaced: seen}), sessions, kafka):
        await eventually(lambda: seen.has(after_id), what="the record behind it handled")
        await eventually(lambda: _quarantined(sessions, group, 1), what="quarantined")

    row = await _row(sessions, group)
    assert (row["topic"], row["partition"], row["offset"]) == (topic, 0, 0)
    assert row["reason"] == "too_large"
    assert row["failure_reason"] == "cannot_decode"
    assert row["exception_type"] == "PoisonMessage"
    assert "not JSON" in row["message"]
    assert row["rejection"].startswith("MessageSizeTooLargeError")
    assert row["complete"] is True
    assert bytes(row["value"]) == value
    assert row["value_size"] == len(value)
    assert row["value_sha256"] == hashlib.sha256(value).hexdigest()
    assert bytes(row["key"]) == b"order-huge"
    assert {"name": "ce_type", "size": len(dict(valid.headers)["ce_type"])}.items() <= (
        next(hd for hd in row["headers"] if hd["name"] == "ce_type").items()
    )
    assert row["resolution"] is None
    assert await topic_size(kafka, dead_letter_topic(group)) == 0


async def test_a_dead_letter_topic_refusing_one_record_quarantines_only_that_one(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection, unique: str
) -> None:
    topic = await create_topic(kafka, f"test.refused.{unique}")
    group = f"test-refused-{unique}"
    # The DLQ takes records of up to 20 kB: the broker refuses a batch holding a bigger one.
    await ensure_topics(
        kafka, [TopicSpec(dead_letter_topic(group), 1, 1, {"max.message.bytes": "20000"})]
    )
    _, valid = order_placed()
    small = KafkaRecord(topic, b"small", b"{not json", valid.headers)
    big = KafkaRecord(topic, b"big", b"{" + b"x" * 30_000, valid.headers)
    after_id, after = order_placed()
    await produce(kafka, topic, small, big, after)
    seen = Seen()
    policy = replace(FAST, quarantine_max_bytes=10_000)  # beyond this, a prefix is kept

    consumer = Consumer(group, (topic,), {OrderPlaced: seen})
    async with RunningConsumer(consumer, sessions, kafka, policy):
        (dead,) = await read_all(kafka, dead_letter_topic(group), 1)
        await eventually(lambda: seen.has(after_id), what="the record behind them handled")
        await eventually(lambda: _quarantined(sessions, group, 1), what="quarantined")

    assert dead.key == b"small"
    row = await _row(sessions, group)
    assert row["offset"] == 1
    assert row["complete"] is False
    assert bytes(row["value"]) == big.value[: 64 * 1024]
    assert row["value_size"] == len(big.value)
    assert row["value_sha256"] == hashlib.sha256(big.value).hexdigest()


def _header(record: ConsumerRecord[bytes, bytes], name: str) -> str:
    """The last value of ``name`` (the crafted records carry binary headers too)."""
    return [bytes(v).decode(errors="replace") for n, v in record.headers or () if n == name][-1]


async def _quarantined(sessions: async_sessionmaker[AsyncSession], group: str, count: int) -> bool:
    async with sessions() as session:
        found = await session.scalar(
            text("SELECT count(*) FROM messaging.quarantine WHERE consumer_group = :g"),
            {"g": group},
        )
    return bool(found == count)


async def _row(sessions: async_sessionmaker[AsyncSession], group: str) -> dict[str, Any]:
    async with sessions() as session:
        result = await session.execute(
            text("SELECT * FROM messaging.quarantine WHERE consumer_group = :g"), {"g": group}
        )
        return dict(result.mappings().one())
