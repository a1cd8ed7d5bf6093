"""Create a group's retry and dead-letter topics with as many partitions as its main topics."""

from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient

from consumers.runtime.handlers import Consumer
from consumers.runtime.topics import dead_letter_topic, retry_topics
from foundation.kafka import KafkaConnection
from producers import TopicSpec, ensure_topics


def group_topic_names(group: str, tiers: int) -> list[str]:
    """The retry tiers and the DLQ of ``group``."""
    return [*retry_topics(group, tiers), dead_letter_topic(group)]


async def ensure_group_topics(
    connection: KafkaConnection, consumer: Consumer, tiers: int, *, replication: int = 1
) -> None:
    """Create the missing retry and dead-letter topics of ``consumer``.

    Same partition count as the widest main topic, so a retry tier spreads over the members
    of the group the same way the main topics do.
    """
    partitions = await _partitions(connection, consumer.topics)
    await ensure_topics(
        connection,
        [
            TopicSpec(name, partitions, replication)
            for name in group_topic_names(consumer.name, tiers)
        ],
    )


async def _partitions(connection: KafkaConnection, topics: tuple[str, ...]) -> int:
    admin = AIOKafkaAdminClient(**connection.client_options())
    await admin.start()
    try:
        described = await admin.describe_topics(list(topics))
    finally:
        await admin.close()
    counts = [len(t.get("partitions") or ()) for t in described if not t.get("error_code")]
    return max(counts, default=0) or TopicSpec("").partitions
