"""``orderflow search rebuild``: a fresh index from the beginning of the topics, swapped in.

The rebuild itself is the read models' (:mod:`consumers.readmodel.rebuild`): fresh tables from
the topics under a new consumer group, swapped in under a short write lock.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.readmodel import Apply, Progress, ReadModel, RebuildReport, rebuild_read_model
from consumers.search import tables
from consumers.search.consumer import indexed_topics
from consumers.search.index import SearchIndex
from foundation.kafka import KafkaConnection

LIVE_TABLES = ("products", "orders")

__all__ = ["LIVE_TABLES", "Progress", "RebuildReport", "rebuild_index", "search_model"]


def search_model(topics: tuple[str, ...] | None = None) -> ReadModel:
    """The search index as a rebuildable read model (``topics``: default, every indexed one)."""

    def writer(fresh: Mapping[str, str]) -> Apply:
        index = SearchIndex.named(fresh["products"], fresh["orders"])
        return lambda session, event, envelope: index.apply(
            session, event, envelope.aggregate_version
        )

    return ReadModel(tables.SCHEMA, LIVE_TABLES, topics or indexed_topics(), writer)


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
    return await rebuild_read_model(
        sessions, connection, search_model(topics), group=group, progress=progress
    )
