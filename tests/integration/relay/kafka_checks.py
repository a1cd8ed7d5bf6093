"""What landed on Kafka: every event id present, each key's versions in order."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import TypeAlias

from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord

from foundation.kafka import KafkaConnection
from producers import TopicSpec, ensure_topics
from tests.kafka_helpers import end_offsets, read_from

Record: TypeAlias = ConsumerRecord[bytes, bytes]


async def create_topic(kafka: KafkaConnection, topic: str, partitions: int = 3) -> None:
    """Create ``topic`` (the broker never auto-creates)."""
    await ensure_topics(kafka, [TopicSpec(topic, partitions=partitions)])


def event_ids(records: list[Record]) -> set[str]:
    """The distinct ``ce_id`` headers of ``records``."""
    return {dict(r.headers)["ce_id"].decode() for r in records}


async def read_distinct(
    kafka: KafkaConnection, topic: str, expected: int, within: float = 60.0
) -> list[Record]:
    """Every record of ``topic`` from the start, once ``expected`` distinct events arrived."""
    offsets = await end_offsets(kafka, topic)
    start = {TopicPartition(topic, tp.partition): 0 for tp in offsets}
    return await asyncio.wait_for(
        read_from(kafka, start, lambda rs: len(event_ids(rs)) >= expected, within), within + 10
    )


def versions_by_key(records: list[Record]) -> dict[str, list[int]]:
    """Each key's ``aggregate_version`` sequence as a deduplicating consumer sees it.

    Records are grouped per partition in offset order (one key lives on one partition);
    a duplicate event id is skipped, like the consumers' inbox does.
    """
    seen: set[str] = set()
    result: dict[str, list[int]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        headers = dict(record.headers)
        event_id = headers["ce_id"].decode()
        if event_id in seen:
            continue
        seen.add(event_id)
        result[(record.key or b"").decode()].append(int(headers["aggregate_version"]))
    return result


def out_of_order(records: list[Record], per_key: int) -> dict[str, list[int]]:
    """Keys whose deduplicated versions are not exactly 1..per_key (empty when all good)."""
    expected = list(range(1, per_key + 1))
    return {k: v for k, v in versions_by_key(records).items() if v != expected}
