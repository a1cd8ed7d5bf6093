"""One partition batch in ONE database transaction, with the inbox rows of the batch.

The fast path runs every handler in one transaction with one inbox statement for the batch.
If any handler fails, that transaction is rolled back and the batch runs again with a SAVEPOINT
per record, so a failing record rolls back only itself and the others still commit together.
Failures are rare, so the common case pays for neither savepoints nor per-record inbox rows.
Should even that transaction fail for a reason of its content (a deferred constraint at commit,
a handler that broke the transaction), each record runs in a transaction of its own: one record
can never hold the others back.

A batch ends early when its ``cutoff`` is set (its partition is being revoked, or the process
stops): every path commits the records applied so far and leaves the rest untouched (the fast
path, which wrote every inbox row up front, first takes back the rows of the records it did
not reach, or they would pass for handled). The caller commits offsets only up to the first
record left (``Applied.stopped_at``).

A failure of the database itself (connection lost, server starting or stopping, deadlock,
serialization failure, timeouts) is nobody's input: it is raised from any path as
:class:`InfrastructureUnavailable`, and the caller runs the whole batch again later. Nothing
of it counts against a record.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import NamedTuple

from aiokafka.structs import ConsumerRecord
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime import metrics
from consumers.runtime.attempts import AttemptsFailed, attempt
from consumers.runtime.errors import (
    FailureClass,
    InfrastructureUnavailable,
    database_cause,
    infrastructure_cause,
)
from consumers.runtime.handlers import BatchScope, Effect, Handler, MessageContext
from consumers.runtime.inbox import forget_many, record_many, record_once
from consumers.runtime.policy import RetryPolicy
from consumers.runtime.probe import classify_failure
from events.codec import DecodedEvent
from events.context import bind_consumed_message
from foundation import tracing
from foundation.histograms import observe_many

Sessions = async_sessionmaker[AsyncSession]


class Item(NamedTuple):
    """A decoded record with the handler (and effect) that applies to it.

    A named tuple rather than a frozen dataclass: one is built per record, and a frozen
    dataclass pays an ``object.__setattr__`` per field.
    """

    record: ConsumerRecord[bytes, bytes]
    decoded: DecodedEvent
    handler: Handler
    effect: Effect | None
    dedupe_id: uuid.UUID
    """The id of its inbox row: its event id, or its ``Consumer.inbox_key``."""


class ItemFailed(NamedTuple):
    """A record whose handler failed for a reason of its own, and how."""

    item: Item
    failed: AttemptsFailed
    kind: FailureClass


@dataclass
class Applied:
    """What happened to the items of a batch in the database."""

    handled: list[Item] = field(default_factory=list)
    duplicates: list[Item] = field(default_factory=list)
    failed: list[ItemFailed] = field(default_factory=list)
    stopped_at: int | None = None
    """The index of the first item left untouched because the cutoff came; None: none."""


class _HandlerFailed(Exception):
    """A handler failed on the fast path."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class _Redo(Exception):
    """The transaction failed for a reason of its content: redo the batch more carefully."""


async def apply_batch(
    sessions: Sessions,
    group: str,
    items: Sequence[Item],
    policy: RetryPolicy,
    cutoff: asyncio.Event | None = None,
    scope: BatchScope | None = None,
) -> Applied:
    """Apply ``items`` (until ``cutoff`` is set) within ``scope`` where one transaction takes
    several; raises only :class:`InfrastructureUnavailable`."""
    cutoff = cutoff or asyncio.Event()
    if not items:
        return Applied()
    if cutoff.is_set():
        return Applied(stopped_at=0)
    try:
        return await _fast(sessions, group, items, cutoff, scope)
    except _Redo:
        pass
    try:
        return await _careful(sessions, group, items, policy, cutoff, scope)
    except _Redo:
        return await _isolated(sessions, group, items, policy, cutoff)


async def _fast(
    sessions: Sessions,
    group: str,
    items: Sequence[Item],
    cutoff: asyncio.Event,
    scope: BatchScope | None,
) -> Applied:
    applied = Applied()
    try:
        async with sessions() as session, session.begin():
            seen = await record_many(session, group, [i.dedupe_id for i in items])
            async with _within(scope, session, items, seen) as batch:
                await _fast_items(session, group, items, cutoff, (seen, batch), applied)
    except _HandlerFailed as failed:
        # Only a database error is surely the infrastructure here; anything else (a bare
        # network error may be the handler's partner) is sorted out record by record.
        cause = database_cause(failed.error)
        if cause is not None:
            raise InfrastructureUnavailable(cause, failed.error) from failed.error
        raise _Redo from failed.error
    except Exception as error:  # the runtime's own statements, the batch scope, the commit
        raise _infrastructure_or_redo(error) from error
    return applied


async def _fast_items(
    session: AsyncSession,
    group: str,
    items: Sequence[Item],
    cutoff: asyncio.Event,
    state: tuple[set[uuid.UUID], object],
    applied: Applied,
) -> None:
    seen, batch = state
    timings: list[float] = []  # observed once for the batch, not per record
    try:
        for index, item in enumerate(items):
            if cutoff.is_set():
                await _take_back(session, group, items[index:], seen)
                applied.stopped_at = index
                return
            event_id = item.dedupe_id
            if event_id in seen:
                applied.duplicates.append(item)
                continue
            seen.add(event_id)  # a second copy later in the batch is a duplicate
            started = time.perf_counter()
            try:
                await _handler_call(session, group, item, batch)
            except Exception as error:
                raise _HandlerFailed(error) from error
            finally:
                timings.append(time.perf_counter() - started)
            applied.handled.append(item)
    finally:
        observe_many(metrics.handler_seconds(group), timings)


@asynccontextmanager
async def _within(
    scope: BatchScope | None,
    session: AsyncSession,
    items: Sequence[Item],
    seen: frozenset[uuid.UUID] | set[uuid.UUID] = frozenset(),
) -> AsyncIterator[object]:
    """``scope`` entered with the events of ``items`` not ``seen`` (the inbox had them);
    nothing at all without a scope (most groups: no list built per batch for it)."""
    if scope is None:
        yield None
        return
    async with scope(session, [i.decoded for i in items if i.dedupe_id not in seen]) as batch:
        yield batch


async def _take_back(
    session: AsyncSession, group: str, left: Sequence[Item], seen: set[uuid.UUID]
) -> None:
    """Delete the inbox rows the fast path wrote for the records it did not reach (those in
    ``seen`` were there before, or belong to an earlier copy this batch handled)."""
    await forget_many(
        session,
        group,
        [i.dedupe_id for i in left if i.dedupe_id not in seen],
    )


async def _careful(
    sessions: Sessions,
    group: str,
    items: Sequence[Item],
    policy: RetryPolicy,
    cutoff: asyncio.Event,
    scope: BatchScope | None,
) -> Applied:
    applied = Applied()
    try:
        async with sessions() as session, session.begin():
            await session.connection()  # failing to connect is never a record's doing
            async with _within(scope, session, items) as batch:
                transaction = (session, batch)
                await _careful_items(sessions, transaction, group, items, policy, cutoff, applied)
    except (InfrastructureUnavailable, _Redo):
        raise
    except Exception as error:  # the batch scope, the commit, or the rollback of a savepoint
        raise _infrastructure_or_redo(error) from error
    return applied


async def _careful_items(
    sessions: Sessions,
    transaction: tuple[AsyncSession, object],
    group: str,
    items: Sequence[Item],
    policy: RetryPolicy,
    cutoff: asyncio.Event,
    applied: Applied,
) -> None:
    session, batch = transaction
    for index, item in enumerate(items):
        if cutoff.is_set():  # commit what was applied; the rest comes again
            applied.stopped_at = index
            return
        try:
            fresh = await attempt(policy, partial(_savepoint, session, group, item, batch))
        except AttemptsFailed as failed:
            kind = await _record_failure(failed, sessions)
            if not _usable(session):
                raise _Redo from failed.error  # the handler broke the transaction
            applied.failed.append(ItemFailed(item, failed, kind))
            continue
        (applied.handled if fresh else applied.duplicates).append(item)


async def _isolated(
    sessions: Sessions,
    group: str,
    items: Sequence[Item],
    policy: RetryPolicy,
    cutoff: asyncio.Event,
) -> Applied:
    applied = Applied()
    for index, item in enumerate(items):
        if cutoff.is_set():
            applied.stopped_at = index
            break
        try:
            fresh = await attempt(policy, partial(_alone, sessions, group, item))
        except AttemptsFailed as failed:
            applied.failed.append(ItemFailed(item, failed, await _record_failure(failed, sessions)))
            continue
        (applied.handled if fresh else applied.duplicates).append(item)
    return applied


async def _record_failure(failed: AttemptsFailed, sessions: Sessions) -> FailureClass:
    """The class of a record's failure; raises when it was the infrastructure's."""
    kind = await classify_failure(failed.error, sessions)
    if kind is FailureClass.INFRASTRUCTURE:
        cause = infrastructure_cause(failed.error)
        assert cause is not None
        raise InfrastructureUnavailable(cause, failed.error) from failed.error
    return kind


def _infrastructure_or_redo(error: Exception) -> Exception:
    cause = infrastructure_cause(error)
    return _Redo() if cause is None else InfrastructureUnavailable(cause, error)


def _usable(session: AsyncSession) -> bool:
    transaction = session.get_transaction()
    return transaction is not None and transaction.is_active


async def _savepoint(session: AsyncSession, group: str, item: Item, batch: object) -> bool:
    async with session.begin_nested():
        if not await record_once(session, group, item.dedupe_id):
            return False
        await _run_handler_alone(session, group, item, batch)
        return True


async def _alone(sessions: Sessions, group: str, item: Item) -> bool:
    async with sessions() as session, session.begin():
        if not await record_once(session, group, item.dedupe_id):
            return False
        await _run_handler_alone(session, group, item)
        return True


async def _run_handler_alone(
    session: AsyncSession, group: str, item: Item, batch: object = None
) -> None:
    """Run ``item``'s handler on its own (a careful path), its duration observed at once."""
    started = time.perf_counter()
    try:
        await _handler_call(session, group, item, batch)
    finally:
        metrics.handler_seconds(group).observe(time.perf_counter() - started)


def _handler_call(
    session: AsyncSession, group: str, item: Item, batch: object = None
) -> Awaitable[None]:
    """The call of ``item``'s handler in ``session``'s transaction, its message context bound.

    A plain function returning the handler's awaitable rather than a coroutine awaiting it:
    one coroutine less per record. While tracing, the handler runs inside its span.
    """
    envelope = item.decoded.envelope
    bind_consumed_message(envelope.correlation_id, str(envelope.event_id), envelope.traceparent)
    context = MessageContext(session, envelope, batch)
    if tracing.tracing_on():
        return _traced(group, item, context)
    return item.handler(item.decoded.event, context)  # the common case: one check, nothing more


async def _traced(group: str, item: Item, context: MessageContext) -> None:
    record_span = record_attributes(group, item)
    with tracing.processing(item.record.topic, context.envelope.traceparent, record_span):
        await item.handler(item.decoded.event, context)


def record_attributes(group: str, item: Item) -> tracing.Attributes:
    """The messaging attributes of a span about ``item``'s record in ``group``."""
    record = item.record
    return {
        "messaging.system": "kafka",
        "messaging.operation.type": "process",
        "messaging.destination.name": record.topic,
        "messaging.destination.partition.id": str(record.partition),
        "messaging.kafka.offset": record.offset,
        "messaging.consumer.group.name": group,
        "messaging.message.id": str(item.decoded.envelope.event_id),
        "orderflow.event_type": item.decoded.envelope.event_type,
    }
