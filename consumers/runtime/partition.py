"""One partition batch: decode, apply in one transaction, run effects, route the failures.

Every record leaves the batch one way or another: handled (or skipped: no handler, or a
duplicate), sent to a retry tier, dead-lettered, or quarantined. The only exception that
escapes :meth:`PartitionBatch.process` is :class:`InfrastructureUnavailable`: the database or
the broker failed, and the caller runs the same batch again later.

When the ``cutoff`` comes (the partition is being revoked, the process stops) the batch ends at
the next record: what was applied, and the failures before that record, are done; that record
and the rest are left to whoever reads the partition next, and the offset stops there.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime import metrics
from consumers.runtime.attempts import AttemptsFailed, attempt
from consumers.runtime.batch import Applied, Item, apply_batch, record_attributes
from consumers.runtime.dead_letters import Failure, due_at
from consumers.runtime.errors import (
    FailureClass,
    InfrastructureUnavailable,
    describe,
    infrastructure_cause,
)
from consumers.runtime.handlers import Consumer, EffectContext
from consumers.runtime.last_errors import remember_error
from consumers.runtime.policy import RetryPolicy
from consumers.runtime.probe import classify_failure
from consumers.runtime.quarantine import keep_in_quarantine
from consumers.runtime.routing import Failed, Routed, publish_failures
from consumers.runtime.topics import tier_of
from events import PoisonMessage, PoisonReason, decode_record
from foundation import tracing

Records = Sequence[ConsumerRecord[bytes, bytes]]


@dataclass(frozen=True)
class BatchResult:
    """How far the batch got: commit up to ``next_offset``; hold the rest until due.

    ``complete`` is False when the cutoff ended the batch early: nothing after ``next_offset``
    was done, and what waits behind the batch must not run.
    """

    next_offset: int | None
    held_offset: int | None = None
    held_for: float = 0.0
    complete: bool = True


@dataclass
class BatchMemo:
    """What a batch already did in an earlier run (before the infrastructure failed it)."""

    routed: set[int] = field(default_factory=set)


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
        # The head record of a held retry partition and when it was first found not due:
        # whatever its header says, it is due one tier delay after that.
        self._first_held: dict[TopicPartition, tuple[int, datetime]] = {}

    async def process(
        self,
        records: Records,
        memo: BatchMemo | None = None,
        cutoff: asyncio.Event | None = None,
    ) -> BatchResult:
        """Handle the due records (until ``cutoff`` is set); raises only
        :class:`InfrastructureUnavailable`."""
        due, held_offset, held_for = self._split_due(records)
        if not due:
            return BatchResult(None, held_offset, held_for)
        group, cutoff = self._consumer.name, cutoff or asyncio.Event()
        items, failures = self._decode(due)
        applied = await apply_batch(
            self._sessions, group, items, self._policy, cutoff, self._consumer.batch_scope
        )
        cut = None if applied.stopped_at is None else items[applied.stopped_at].record.offset
        failures += [_failed(f.item.record, f.failed, f.kind) for f in applied.failed]
        effect_failures, effects_cut = await self._run_effects(applied, cutoff)
        failures += effect_failures
        cut = min((c for c in (cut, effects_cut) if c is not None), default=None)
        failures = sorted(
            (f for f in failures if cut is None or f.record.offset < cut),
            key=lambda f: f.record.offset,
        )
        memo = memo or BatchMemo()
        routed = await publish_failures(self._producer, group, failures, self._policy, memo.routed)
        await self._quarantine(routed, memo)
        await self._remember(routed)
        _count(group, applied)
        if cut is not None:
            return BatchResult(cut if cut > due[0].offset else None, complete=False)
        return BatchResult(due[-1].offset + 1, held_offset, held_for)

    def forget_holds(self) -> None:
        """Forget the held heads (after a rebalance the partitions start afresh)."""
        self._first_held.clear()

    def _split_due(self, records: Records) -> tuple[Records, int | None, float]:
        """Records of a retry tier wait for their ``x-retry-not-before`` (at most the tier's
        delay); the rest are due."""
        tier = tier_of(self._consumer.name, records[0].topic) if records else 0
        if not 0 < tier <= self._policy.tiers:
            return records, None, 0.0
        delay = self._policy.tier_delays[tier - 1]
        now = datetime.now(UTC)
        for index, record in enumerate(records):
            tp = TopicPartition(record.topic, record.partition)
            offset, first_seen = self._first_held.get(tp, (record.offset, now))
            seen = first_seen if offset == record.offset else now
            moment = due_at(record, delay, seen)
            if moment > now:
                self._first_held[tp] = (record.offset, seen)
                return records[:index], record.offset, (moment - now).total_seconds()
        return records, None, 0.0

    def _decode(self, records: Records) -> tuple[list[Item], list[Failed]]:
        items: list[Item] = []
        failures: list[Failed] = []
        group = self._consumer.name
        if records:  # one partition batch is one topic: count once, not per record
            metrics.CONSUMED.labels(group, records[0].topic).inc(len(records))
        handlers, effects, key = (
            self._consumer.handlers,
            self._consumer.effects,
            self._consumer.inbox_key,
        )
        for record in records:
            try:
                decoded = decode_record(record.value, record.headers or (), record.topic)
            except PoisonMessage as poison:
                failures.append(_poison(record, poison))
                continue
            except Exception as error:  # an input nobody foresaw: poison, never a stall
                detail = f"the decoder failed: {describe(error)}"
                failures.append(_poison(record, PoisonMessage(PoisonReason.CANNOT_DECODE, detail)))
                continue
            handler = handlers.get(type(decoded.event))
            if handler is not None:  # events this group does not care about are skipped
                envelope = decoded.envelope
                dedupe_id = envelope.event_id if key is None else key(envelope)
                effect = effects.get(type(decoded.event))
                items.append(Item(record, decoded, handler, effect, dedupe_id))
        return items, failures

    async def _run_effects(
        self, applied: Applied, cutoff: asyncio.Event
    ) -> tuple[list[Failed], int | None]:
        """Run the after-commit effects of handled records and of duplicates (idempotent), in
        offset order until the cutoff; returns the failures and the offset of the first record
        whose effect the cutoff left (it runs again on the next delivery, as a duplicate)."""
        failures: list[Failed] = []
        if not self._consumer.effects:  # most groups have none: no pass over the batch
            return failures, None
        pending = [(i, i.effect) for i in (*applied.handled, *applied.duplicates) if i.effect]
        pending.sort(key=lambda pair: pair[0].record.offset)
        for item, effect in pending:
            if cutoff.is_set():
                return failures, item.record.offset
            context = EffectContext(self._sessions, item.decoded.envelope)
            try:
                await self._effect(item, partial(effect, item.decoded.event, context))
            except AttemptsFailed as failed:
                kind = await classify_failure(failed.error, self._sessions)
                if kind is FailureClass.INFRASTRUCTURE:
                    cause = infrastructure_cause(failed.error)
                    assert cause is not None
                    raise InfrastructureUnavailable(cause, failed.error) from failed.error
                failures.append(_failed(item.record, failed, kind))
        return failures, None

    async def _effect(self, item: Item, run: Callable[[], Awaitable[None]]) -> None:
        """Run one effect with its retries; while tracing, in an ``effect`` span, the child of
        the record's ``traceparent`` (the partner call it makes joins the record's trace)."""
        if not tracing.tracing_on():
            await attempt(self._policy, run)
            return
        group = self._consumer.name
        traceparent = item.decoded.envelope.traceparent
        with tracing.child_of(f"effect {group}", traceparent, record_attributes(group, item)):
            await attempt(self._policy, run)

    async def _quarantine(self, routed: Routed, memo: BatchMemo) -> None:
        try:
            await keep_in_quarantine(
                self._sessions,
                self._consumer.name,
                routed.quarantine,
                self._policy.quarantine_max_bytes,
            )
        except Exception as error:
            cause = infrastructure_cause(error)
            if cause is None:
                raise
            raise InfrastructureUnavailable(cause, error) from error
        memo.routed.update(q.record.offset for q in routed.quarantine)

    async def _remember(self, routed: Routed) -> None:
        last = max(
            [
                *((f.record, r.reason, f.failure.error) for f, r in routed.published),
                *((q.record, f"quarantined:{q.reason}", q.error) for q in routed.quarantine),
            ],
            key=lambda entry: entry[0].offset,
            default=None,
        )
        if last is None:
            return
        record, reason, error = last
        await remember_error(
            self._sessions,
            self._consumer.name,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            reason=reason,
            error=error,
        )


def _poison(record: ConsumerRecord[bytes, bytes], poison: PoisonMessage) -> Failed:
    return Failed(record, Failure(poison, str(poison.reason)), FailureClass.POISON)


def _failed(
    record: ConsumerRecord[bytes, bytes], failed: AttemptsFailed, kind: FailureClass
) -> Failed:
    return Failed(record, Failure(failed.error, str(kind), failed.attempts), kind)


def _count(group: str, applied: Applied) -> None:
    # Counted per event type per batch: a labels() lookup per record costs more than the rest.
    handled = collections.Counter(i.decoded.envelope.event_type for i in applied.handled)
    for event_type, count in handled.items():
        metrics.HANDLED.labels(group, event_type).inc(count)
    if applied.duplicates:
        metrics.DUPLICATES.labels(group).inc(len(applied.duplicates))
