"""Rebuilding a read model from the beginning of its topics, then swapping it in.

1. Create empty tables shaped like the live ones (``<schema>.<table>_rebuild_<id>``).
2. Read the topics from their beginning under a NEW consumer group, up to the end offsets of
   the moment, applying every event to the fresh tables (the same version guards).
3. In ONE transaction: lock the live tables against writes, read what arrived meanwhile, drop
   the live tables and rename the fresh ones (and their indexes) into place.
   The live consumer, blocked on the lock, continues on the new tables after the commit;
   an event both of them apply is a no-op the second time (version guards, inbox).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.readmodel.reading import Records, assign_from_beginning, open_reader, read_until
from consumers.readmodel.swap import create_copies, drop_tables, swap_in
from events import Envelope, IntegrationEvent, PoisonMessage, decode_record
from foundation.kafka import KafkaConnection

Progress = Callable[[int, int], None]
"""Called with (records read, records to read) as the rebuild advances."""

Apply = Callable[[AsyncSession, IntegrationEvent, Envelope], Awaitable[int]]
"""Applies one event to a set of tables; returns the rows it changed."""


@dataclass(frozen=True)
class ReadModel:
    """A read model that can be rebuilt: its schema, live tables, topics and writer.

    ``writer`` gets the fresh table name of each live one and returns the function that
    applies an event to the fresh tables, exactly as the live consumer applies it to the live
    ones (same guards), so a rebuild ends where the live model would be had it seen everything.
    """

    schema: str
    tables: tuple[str, ...]
    topics: tuple[str, ...]
    writer: Callable[[Mapping[str, str]], Apply]


@dataclass
class RebuildReport:
    """What a rebuild did."""

    group: str
    records: int = 0
    applied: int = 0
    skipped: int = 0  # records that cannot be decoded (they are in the consumers' DLQs)


async def rebuild_read_model(
    sessions: async_sessionmaker[AsyncSession],
    connection: KafkaConnection,
    model: ReadModel,
    *,
    group: str,
    progress: Progress = lambda done, total: None,
) -> RebuildReport:
    """Build ``model`` afresh under consumer group ``group`` and swap it in atomically."""
    suffix = uuid.uuid4().hex[:8]
    fresh = {table: f"{table}_rebuild_{suffix}" for table in model.tables}
    apply = model.writer(fresh)
    report = RebuildReport(group)
    reader = await open_reader(connection, group)
    try:
        await create_copies(sessions, model.schema, fresh)
        try:
            partitions = await assign_from_beginning(reader, model.topics)
            ends = dict(await reader.end_offsets(partitions)) if partitions else {}
            total = sum(ends.values())
            async for batch in read_until(reader, ends):
                async with sessions.begin() as session:
                    await _apply(session, apply, batch, report)
                progress(report.records, total)
            await _catch_up_and_swap(sessions, reader, model.schema, fresh, apply, ends, report)
        except BaseException:
            await drop_tables(sessions, model.schema, fresh.values())
            raise
        if ends:
            await reader.commit(ends)
    finally:
        await reader.stop()
    return report


async def _apply(
    session: AsyncSession, apply: Apply, batch: Records, report: RebuildReport
) -> None:
    for record in batch:
        report.records += 1
        try:
            decoded = decode_record(record.value, list(record.headers or ()), record.topic)
        except PoisonMessage:
            report.skipped += 1
            continue
        report.applied += await apply(session, decoded.event, decoded.envelope)


async def _catch_up_and_swap(
    sessions: async_sessionmaker[AsyncSession],
    reader: AIOKafkaConsumer,
    schema: str,
    fresh: Mapping[str, str],
    apply: Apply,
    ends: dict[TopicPartition, int],
    report: RebuildReport,
) -> None:
    """Catch up under a write lock on the live tables, then put the fresh ones in their place."""
    async with sessions.begin() as session:
        live = ", ".join(f"{schema}.{table}" for table in fresh)
        await session.execute(text(f"LOCK TABLE {live} IN EXCLUSIVE MODE"))
        latest = dict(await reader.end_offsets(list(ends))) if ends else {}
        async for batch in read_until(reader, latest):
            await _apply(session, apply, batch, report)
        ends.update(latest)
        await swap_in(session, schema, fresh)
