"""``orderflow search rebuild``: a fresh index from the beginning of the topics, swapped in.

1. Create empty tables shaped like the live ones (``search.<table>_rebuild_<id>``).
2. Read the indexed topics from their beginning under a NEW consumer group, up to the end
   offsets of the moment, applying every event to the fresh tables (same version guards).
3. In ONE transaction: lock the live tables against writes, read what arrived meanwhile,
   drop the live tables and rename the fresh ones (and their indexes) into place.
   The live consumer, blocked on the lock, continues on the new tables after the commit;
   an event both of them apply is a no-op the second time (version guards).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.search.consumer import indexed_topics
from consumers.search.index import SearchIndex
from consumers.search.reading import Records, assign_from_beginning, open_reader, read_until
from events import PoisonMessage, decode_record
from foundation.kafka import KafkaConnection

LIVE_TABLES = ("products", "orders")
Progress = Callable[[int, int], None]
"""Called with (records read, records to read) as the rebuild advances."""


@dataclass
class RebuildReport:
    """What a rebuild did."""

    group: str
    records: int = 0
    applied: int = 0
    skipped: int = 0  # records that cannot be decoded (they are in the consumers' DLQs)


async def rebuild_index(
    sessions: async_sessionmaker[AsyncSession],
    connection: KafkaConnection,
    *,
    group: str,
    progress: Progress = lambda done, total: None,
    topics: tuple[str, ...] | None = None,
) -> RebuildReport:
    """Build a fresh index under consumer group ``group`` and swap it in atomically.

    ``topics`` defaults to every topic the index is built from.
    """
    suffix = uuid.uuid4().hex[:8]
    fresh = SearchIndex.named(*(f"{t}_rebuild_{suffix}" for t in LIVE_TABLES))
    report = RebuildReport(group)
    reader = await open_reader(connection, group)
    try:
        await _create_tables(sessions, fresh)
        try:
            partitions = await assign_from_beginning(reader, topics or indexed_topics())
            ends = dict(await reader.end_offsets(partitions)) if partitions else {}
            total = sum(ends.values())
            async for batch in read_until(reader, ends):
                async with sessions.begin() as session:
                    await _apply(session, fresh, batch, report)
                progress(report.records, total)
            await _swap(sessions, reader, fresh, ends, report)
        except BaseException:
            await _drop_tables(sessions, fresh)
            raise
        if ends:
            await reader.commit(ends)
    finally:
        await reader.stop()
    return report


async def _apply(
    session: AsyncSession, index: SearchIndex, batch: Records, report: RebuildReport
) -> None:
    for record in batch:
        report.records += 1
        try:
            decoded = decode_record(record.value, list(record.headers or ()), record.topic)
        except PoisonMessage:
            report.skipped += 1
            continue
        report.applied += await index.apply(
            session, decoded.event, decoded.envelope.aggregate_version
        )


async def _swap(
    sessions: async_sessionmaker[AsyncSession],
    reader: AIOKafkaConsumer,
    fresh: SearchIndex,
    ends: dict[TopicPartition, int],
    report: RebuildReport,
) -> None:
    """Catch up under a write lock on the live tables, then put the fresh ones in their place."""
    async with sessions.begin() as session:
        await session.execute(text("LOCK TABLE search.products, search.orders IN EXCLUSIVE MODE"))
        latest = dict(await reader.end_offsets(list(ends))) if ends else {}
        async for batch in read_until(reader, latest):
            await _apply(session, fresh, batch, report)
        ends.update(latest)
        for live, table in zip(LIVE_TABLES, (fresh.products, fresh.orders), strict=True):
            await session.execute(text(f"DROP TABLE search.{live}"))
            await session.execute(text(f"ALTER TABLE search.{table.name} RENAME TO {live}"))
            await _rename_indexes(session, live)


async def _rename_indexes(session: AsyncSession, table: str) -> None:
    """Give the moved table's indexes the names the migrations gave the live ones."""
    rows = await session.execute(
        text(
            "SELECT c.relname, i.indisprimary FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = CAST(:table AS regclass)"
        ),
        {"table": f"search.{table}"},
    )
    for name, primary in rows.all():
        wanted = f"pk_{table}" if primary else f"ix_{table}_document"
        await session.execute(text(f"ALTER INDEX search.{name} RENAME TO {wanted}"))


async def _create_tables(sessions: async_sessionmaker[AsyncSession], index: SearchIndex) -> None:
    async with sessions.begin() as session:
        for live, table in zip(LIVE_TABLES, (index.products, index.orders), strict=True):
            await session.execute(
                text(f"CREATE TABLE search.{table.name} (LIKE search.{live} INCLUDING ALL)")
            )


async def _drop_tables(sessions: async_sessionmaker[AsyncSession], index: SearchIndex) -> None:
    async with sessions.begin() as session:
        for table in (index.products, index.orders):
            await session.execute(text(f"DROP TABLE IF EXISTS search.{table.name}"))
