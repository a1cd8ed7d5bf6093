"""The consume loop: decode, dedupe, handle in one transaction, then commit the offset."""

from __future__ import annotations

import asyncio
import time

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime import metrics
from consumers.runtime.dead_letters import dead_letter_record
from consumers.runtime.handlers import Consumer, MessageContext
from consumers.runtime.inbox import record_once
from events import PoisonMessage, bind_message_context, decode_record
from events.codec import DecodedEvent
from events.context import bind_traceparent
from producers import KafkaConnection, publish_records

log = structlog.get_logger("orderflow.consumers")


class ConsumerRuntime:
    """Runs one :class:`Consumer` until ``stop`` is set.

    Offsets are committed per partition only after every record up to them was handled and
    its transaction committed (or was dead-lettered), so a crash re-delivers and the inbox
    turns the re-delivery into a counted no-op.
    """

    def __init__(
        self,
        consumer: Consumer,
        sessions: async_sessionmaker[AsyncSession],
        connection: KafkaConnection,
        producer: AIOKafkaProducer,
    ) -> None:
        self._consumer = consumer
        self._sessions = sessions
        self._connection = connection
        self._producer = producer

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set, then commit what was handled and leave the group."""
        kafka = AIOKafkaConsumer(
            *self._consumer.topics,
            **self._connection.client_options(),
            group_id=self._consumer.name,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
        )
        await kafka.start()
        try:
            while not stop.is_set():
                batches = await kafka.getmany(timeout_ms=500, max_records=500)
                await asyncio.gather(
                    *(self._handle_partition(kafka, tp, records) for tp, records in batches.items())
                )
        finally:
            await kafka.stop()

    async def _handle_partition(
        self,
        kafka: AIOKafkaConsumer,
        tp: TopicPartition,
        records: list[ConsumerRecord[bytes, bytes]],
    ) -> None:
        for record in records:
            await self.handle_record(record)
        await kafka.commit({tp: records[-1].offset + 1})
        highwater = kafka.highwater(tp)
        if highwater is not None:
            metrics.LAG.labels(self._consumer.name, tp.topic, str(tp.partition)).set(
                max(0, highwater - records[-1].offset - 1)
            )

    async def handle_record(self, record: ConsumerRecord[bytes, bytes]) -> None:
        """Handle one record: effect and inbox row in one transaction, or a dead letter."""
        group = self._consumer.name
        metrics.CONSUMED.labels(group, record.topic).inc()
        try:
            decoded = decode_record(record.value, list(record.headers or ()), record.topic)
        except PoisonMessage as poison:
            await self._dead_letter(record, poison, str(poison.reason))
            return
        bind_message_context(decoded.envelope.correlation_id, str(decoded.envelope.event_id))
        bind_traceparent(decoded.envelope.traceparent)
        started = time.perf_counter()
        await self._apply(decoded)
        metrics.HANDLER_SECONDS.labels(group).observe(time.perf_counter() - started)

    async def _apply(self, decoded: DecodedEvent) -> None:
        group = self._consumer.name
        handler = self._consumer.handlers.get(type(decoded.event))
        if handler is None:
            return
        async with self._sessions.begin() as session:
            if not await record_once(session, group, decoded.envelope.event_id):
                metrics.DUPLICATES.labels(group).inc()
                log.info("duplicate_skipped", event_id=str(decoded.envelope.event_id))
                return
            await handler(decoded.event, MessageContext(session, decoded.envelope))
        metrics.HANDLED.labels(group, decoded.envelope.event_type).inc()
        log.info(
            "event_handled",
            event_id=str(decoded.envelope.event_id),
            event_type=decoded.envelope.event_type,
        )

    async def _dead_letter(
        self, record: ConsumerRecord[bytes, bytes], error: BaseException, reason: str
    ) -> None:
        group = self._consumer.name
        dead = dead_letter_record(
            record, group=group, topic=self._consumer.dead_letter_topic, error=error, reason=reason
        )
        (result,) = await publish_records(self._producer, [dead])
        if isinstance(result, BaseException):
            raise result
        metrics.DEAD_LETTERED.labels(group, reason).inc()
        log.warning(
            "dead_lettered",
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            reason=reason,
            error=str(error),
        )
