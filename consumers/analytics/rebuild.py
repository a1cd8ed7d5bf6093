"""``orderflow analytics rebuild``: fresh facts from the beginning of the topics, swapped in.

The same rebuild as search's (:mod:`consumers.readmodel.rebuild`): fresh tables filled from the
topics under a new consumer group, with the live consumer's own version guards, then swapped
in under a short write lock. The figures are computed from the facts, so a rebuild gives the
numbers the live model has once it has seen the same events.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.analytics import tables
from consumers.analytics.consumer import analysed_topics
from consumers.analytics.model import AnalyticsModel
from consumers.readmodel import Apply, Progress, ReadModel, RebuildReport, rebuild_read_model
from foundation.kafka import KafkaConnection


def analytics_model(topics: tuple[str, ...] | None = None) -> ReadModel:
    """The analytics facts as a rebuildable read model (``topics``: default, the analysed ones)."""

    def writer(fresh: Mapping[str, str]) -> Apply:
        return AnalyticsModel.named(fresh).apply

    return ReadModel(tables.SCHEMA, tables.LIVE_TABLES, topics or analysed_topics(), writer)


async def rebuild_analytics(
    sessions: async_sessionmaker[AsyncSession],
    connection: KafkaConnection,
    *,
    group: str,
    progress: Progress = lambda done, total: None,
    topics: tuple[str, ...] | None = None,
) -> RebuildReport:
    """Build fresh facts under consumer group ``group`` and swap them in atomically."""
    return await rebuild_read_model(
        sessions, connection, analytics_model(topics), group=group, progress=progress
    )
