"""One partition batch in ONE database transaction, with the inbox rows of the batch.

The fast path runs every handler in one transaction with one inbox statement for the batch.
If any handler fails, that transaction is rolled back and the batch runs again with a SAVEPOINT
per record, so a failing record rolls back only itself and the others still commit together.
Failures are rare, so the common case pays for neither savepoints nor per-record inbox rows.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import NamedTuple

from aiokafka.structs import ConsumerRecord
from prometheus_client import Histogram
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime import metrics
from consumers.runtime.attempts import AttemptsFailed, attempt
from consumers.runtime.handlers import Effect, Handler, MessageContext
from consumers.runtime.inbox import record_many, record_once
from consumers.runtime.policy import RetryPolicy
from events import bind_message_context
from events.codec import DecodedEvent
from events.context import bind_traceparent


class Item(NamedTuple):
    """A decoded record with the handler (and effect) that applies to it.

    A named tuple rather than a frozen dataclass: one is built per record, and a frozen
    dataclass pays an ``object.__setattr__`` per field.
    """

    record: ConsumerRecord[bytes, bytes]
    decoded: DecodedEvent
    handler: Handler
    effect: Effect | None = None


@dataclass
class Applied:
    """What happened to the items of a batch in the database."""

    handled: list[Item] = field(default_factory=list)
    duplicates: list[Item] = field(default_factory=list)
    failed: list[tuple[Item, AttemptsFailed]] = field(default_factory=list)


class _HandlerFailed(Exception):
    """A handler failed on the fast path: redo the batch with savepoints."""


async def apply_batch(
    sessions: async_sessionmaker[AsyncSession],
    group: str,
    items: Sequence[Item],
    policy: RetryPolicy,
) -> Applied:
    """Apply ``items`` in one transaction; raises only when the transaction itself fails."""
    if not items:
        return Applied()
    try:
        return await _fast(sessions, group, items)
    except _HandlerFailed:
        return await _careful(sessions, group, items, policy)


async def _fast(
    sessions: async_sessionmaker[AsyncSession], group: str, items: Sequence[Item]
) -> Applied:
    applied = Applied()
    latency = metrics.handler_seconds(group)
    async with sessions() as session, session.begin():
        seen = await record_many(session, group, [i.decoded.envelope.event_id for i in items])
        for item in items:
            event_id = item.decoded.envelope.event_id
            if event_id in seen:
                applied.duplicates.append(item)
                continue
            seen.add(event_id)  # a second copy later in the batch is a duplicate
            try:
                await _run_handler(session, item, latency)
            except Exception as error:
                raise _HandlerFailed from error
            applied.handled.append(item)
    return applied


async def _careful(
    sessions: async_sessionmaker[AsyncSession],
    group: str,
    items: Sequence[Item],
    policy: RetryPolicy,
) -> Applied:
    applied = Applied()
    async with sessions() as session, session.begin():
        for item in items:
            try:
                fresh = await attempt(policy, partial(_savepoint, session, group, item))
            except AttemptsFailed as failed:
                if _connection_lost(failed.error):
                    raise failed.error from failed  # the whole batch waits, not this record
                applied.failed.append((item, failed))
                continue
            (applied.handled if fresh else applied.duplicates).append(item)
    return applied


def _connection_lost(error: BaseException) -> bool:
    return isinstance(error, DBAPIError) and error.connection_invalidated


async def _savepoint(session: AsyncSession, group: str, item: Item) -> bool:
    async with session.begin_nested():
        if not await record_once(session, group, item.decoded.envelope.event_id):
            return False
        await _run_handler(session, item, metrics.handler_seconds(group))
        return True


async def _run_handler(session: AsyncSession, item: Item, latency: Histogram) -> None:
    envelope = item.decoded.envelope
    bind_message_context(envelope.correlation_id, str(envelope.event_id))
    bind_traceparent(envelope.traceparent)
    started = time.perf_counter()
    try:
        await item.handler(item.decoded.event, MessageContext(session, envelope))
    finally:
        latency.observe(time.perf_counter() - started)
