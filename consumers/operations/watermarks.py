"""The start and end offsets of dead-letter topics, read by a long-lived unsubscribed consumer."""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from consumers.operations.conventions import dead_letter_topic
from consumers.operations.figures import PartitionSpan
from consumers.operations.kafka_clients import ConsumerAndAdmin
from foundation.kafka import KafkaConnection


class DeadLetterWatermarks(ConsumerAndAdmin):
    """Reads what each group's ``<group>.dlq`` retains (use ``async with``); commits nothing."""

    def __init__(self, connection: KafkaConnection) -> None:
        super().__init__(
            AIOKafkaConsumer(**connection.client_options(), enable_auto_commit=False),
            AIOKafkaAdminClient(**connection.client_options()),
        )

    async def spans(self, groups: Iterable[str]) -> dict[str, list[PartitionSpan]]:
        """The retained offsets of each group's dead-letter topic; a group without one has none."""
        existing = set(await self._admin.list_topics())
        wanted = {dead_letter_topic(g): g for g in groups}
        # Describe only topics that exist: a metadata request may auto-create what it names.
        topics = sorted(t for t in wanted if t in existing)
        described = await self._admin.describe_topics(topics) if topics else []
        partitions = [
            TopicPartition(topic["topic"], p["partition"])
            for topic in described
            for p in topic["partitions"]
        ]
        start = await self._consumer.beginning_offsets(partitions) if partitions else {}
        end = await self._consumer.end_offsets(partitions) if partitions else {}
        spans: dict[str, list[PartitionSpan]] = {group: [] for group in wanted.values()}
        for tp in partitions:
            span = PartitionSpan(tp.topic, tp.partition, start[tp], end[tp])
            spans[wanted[tp.topic]].append(span)
        return spans
