"""One partition batch: decode, apply in one transaction, run effects, route the failures."""

from __future__ import annotations

import collections
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime import metrics
from consumers.runtime.attempts import AttemptsFailed, attempt
from consumers.runtime.batch import Applied, Item, apply_batch
from consumers.runtime.dead_letters import Failure, not_before
from consumers.runtime.errors import FailureClass, classify
from consumers.runtime.handlers import Consumer, EffectContext
from consumers.runtime.last_errors import remember_error
from consumers.runtime.policy import RetryPolicy
from consumers.runtime.routing import Failed, Route, publish_failures
from consumers.runtime.topics import tier_of
from events import PoisonMessage, decode_record

Records = Sequence[ConsumerRecord[bytes, bytes]]


@dataclass(frozen=True)
class BatchResult:
    """How far the batch got: commit up to ``next_offset``; hold the rest until due."""

    next_offset: int | None
    held_offset: int | None = None
    held_for: float = 0.0


class PartitionBatch:
    """Handles the records one ``getmany`` returned for one partition, in offset order."""

    def __init__(
        self,
        consumer: Consumer,
        sessions: async_sessionmaker[AsyncSession],
        producer: AIOKafkaProducer,
        policy: RetryPolicy,
    ) -> None:
        self._consumer = consumer
        self._sessions = sessions
        self._producer = producer
        self._policy = policy

    async def process(self, records: Records) -> BatchResult:
        """Handle the due records; raise only if the database or the broker is unreachable."""
        due, held_offset, held_for = self._split_due(records)
        if not due:
            return BatchResult(None, held_offset, held_for)
        group = self._consumer.name
        items, failures = self._decode(due)
        applied = await apply_batch(self._sessions, group, items, self._policy)
        failures += [_failed(i.record, f) for i, f in applied.failed]
        failures += await self._run_effects(applied)
        failures.sort(key=lambda f: f.record.offset)
        routes = await publish_failures(self._producer, group, failures, self._policy)
        await self._remember(failures, routes)
        _count(group, applied)
        return BatchResult(due[-1].offset + 1, held_offset, held_for)

    def _split_due(self, records: Records) -> tuple[Records, int | None, float]:
        """Records of a retry tier wait for their ``x-retry-not-before``; the rest are due."""
        if not records or not tier_of(self._consumer.name, records[0].topic):
            return records, None, 0.0
        now = datetime.now(UTC)
        for index, record in enumerate(records):
            moment = not_before(record)
            if moment is not None and moment > now:
                return records[:index], record.offset, (moment - now).total_seconds()
        return records, None, 0.0

    def _decode(self, records: Records) -> tuple[list[Item], list[Failed]]:
        items: list[Item] = []
        failures: list[Failed] = []
        group = self._consumer.name
        if records:  # one partition batch is one topic: count once, not per record
            metrics.CONSUMED.labels(group, records[0].topic).inc(len(records))
        for record in records:
            try:
                decoded = decode_record(record.value, list(record.headers or ()), record.topic)
            except PoisonMessage as poison:
                failures.append(
                    Failed(record, Failure(poison, str(poison.reason)), FailureClass.POISON)
                )
                continue
            handler = self._consumer.handlers.get(type(decoded.event))
            if handler is not None:  # events this group does not care about are skipped
                effect = self._consumer.effects.get(type(decoded.event))
                items.append(Item(record, decoded, handler, effect))
        return items, failures

    async def _run_effects(self, applied: Applied) -> list[Failed]:
        """Run the after-commit effects of handled records and of duplicates (idempotent)."""
        failures: list[Failed] = []
        pending = [(i, i.effect) for i in (*applied.handled, *applied.duplicates) if i.effect]
        pending.sort(key=lambda pair: pair[0].record.offset)
        for item, effect in pending:
            context = EffectContext(self._sessions, item.decoded.envelope)
            try:
                await attempt(self._policy, partial(effect, item.decoded.event, context))
            except AttemptsFailed as failed:
                failures.append(_failed(item.record, failed))
        return failures

    async def _remember(self, failures: list[Failed], routes: list[Route]) -> None:
        if not failures:
            return
        last = failures[-1]
        await remember_error(
            self._sessions,
            self._consumer.name,
            topic=last.record.topic,
            partition=last.record.partition,
            offset=last.record.offset,
            reason=routes[-1].reason,
            error=last.failure.error,
        )


def _failed(record: ConsumerRecord[bytes, bytes], failed: AttemptsFailed) -> Failed:
    kind = classify(failed.error)
    return Failed(record, Failure(failed.error, str(kind), failed.attempts), kind)


def _count(group: str, applied: Applied) -> None:
    # Counted per event type per batch: a labels() lookup per record costs more than the rest.
    handled = collections.Counter(i.decoded.envelope.event_type for i in applied.handled)
    for event_type, count in handled.items():
        metrics.HANDLED.labels(group, event_type).inc(count)
    if applied.duplicates:
        metrics.DUPLICATES.labels(group).inc(len(applied.duplicates))
