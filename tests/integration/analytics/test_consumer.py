"""The analytics group on the real runtime: out-of-order, duplicated and replayed records
give the figures of the history; a rebuild from the topics gives them again."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import text

from consumers.analytics import analytics_consumer
from consumers.analytics.rebuild import rebuild_analytics
from consumers.runtime import Consumer
from events import KafkaRecord
from foundation.kafka import KafkaConnection
from tests.integration.analytics.support import Sessions, apply, figures
from tests.integration.consumers.support import RunningConsumer, create_topic, produce
from tests.kafka_helpers import caught_up
from tests.support.history import (
    EXPECTED_RATES,
    History,
    expected_currencies,
    random_past_day,
    shop_day,
)
from tests.support.polling import eventually

SOURCES = ("catalog.product.v1", "orders.order.v1", "payments.payment.v1")


async def _private_topics(kafka: KafkaConnection, unique: str) -> dict[str, str]:
    return {s: await create_topic(kafka, f"test.{s}.{unique}", partitions=2) for s in SOURCES}


async def _publish(
    kafka: KafkaConnection, topics: dict[str, str], records: Sequence[KafkaRecord]
) -> None:
    for source, private in topics.items():
        await produce(kafka, private, *(r for r in records if r.topic == source))


def _disordered(history: History) -> list[KafkaRecord]:
    """Every record twice, each order's and payment's events newest first."""
    records = history.records()
    shuffled = list(reversed(records))
    random.Random(7).shuffle(shuffled)
    return [record for record in shuffled for _ in range(2)]


async def test_duplicates_replays_and_disorder_change_nothing_and_a_rebuild_agrees(
    sessions: Sessions, kafka: KafkaConnection, unique: str
) -> None:
    history = shop_day(random_past_day())
    topics = await _private_topics(kafka, unique)
    group = f"test-analytics-{unique}"
    consumer: Consumer = replace(analytics_consumer(group=group), topics=tuple(topics.values()))
    await _publish(kafka, topics, _disordered(history))

    async with RunningConsumer(consumer, sessions, kafka):

        async def read_all() -> bool:
            return await caught_up(kafka, group, list(topics.values()))

        await eventually(read_all, 90, "the group read every record")
        handled = await figures(sessions, history.day)
        await _publish(kafka, topics, history.records())  # a replay: the same events again
        await eventually(read_all, 90, "the group read the replay")
        replayed = await figures(sessions, history.day)

    assert handled["currencies"] == expected_currencies()
    assert handled["rates"] == EXPECTED_RATES
    assert replayed == handled

    # A bug wrote nonsense into the live facts; a rebuild from the topics puts them right.
    await apply(sessions, shop_day(history.day).envelopes)
    assert (await figures(sessions, history.day))["currencies"] != expected_currencies()
    indexes = await _indexes(sessions)
    report = await rebuild_analytics(
        sessions, kafka, group=f"test-analytics-rebuild-{unique}", topics=tuple(topics.values())
    )

    assert (report.records, report.skipped) == (3 * len(history.envelopes), 0)
    assert await figures(sessions, history.day) == handled
    assert await _indexes(sessions) == indexes
    assert await _leftovers(sessions) == 0


async def _indexes(sessions: Sessions) -> set[tuple[str, str]]:
    sql = "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = 'analytics'"
    async with sessions() as session:
        return {(t, i) for t, i in (await session.execute(text(sql))).all()}


async def _leftovers(sessions: Sessions) -> int:
    sql = (
        "SELECT count(*) FROM pg_tables "
        "WHERE schemaname = 'analytics' AND tablename LIKE '%rebuild%'"
    )
    async with sessions() as session:
        return int(await session.scalar(text(sql)) or 0)
