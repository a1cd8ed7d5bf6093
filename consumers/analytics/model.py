"""Writing facts into a set of analytics tables (the live ones, or a rebuild's)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import MetaData, Table
from sqlalchemy.ext.asyncio import AsyncSession

from consumers.analytics import tables
from consumers.analytics.facts import patches_of
from consumers.readmodel import guarded_upsert
from events import Envelope, IntegrationEvent


@dataclass(frozen=True)
class AnalyticsModel:
    """The analytics tables, by their live name."""

    tables: Mapping[str, Table]

    @classmethod
    def named(cls, names: Mapping[str, str]) -> AnalyticsModel:
        """The model on other tables of the schema (``names``: live name → table name)."""
        target = MetaData(schema=tables.SCHEMA)
        return cls(
            {live: _live(live).to_metadata(target, name=name) for live, name in names.items()}
        )

    async def apply(
        self, session: AsyncSession, event: IntegrationEvent, envelope: Envelope
    ) -> int:
        """Apply what ``event`` says, version-guarded; returns the rows it changed."""
        changed = 0
        for patch in patches_of(event, envelope.time):
            changed += await guarded_upsert(
                session,
                self.tables[patch.table],
                patch.key,
                patch.group,
                patch.values,
                envelope.aggregate_version,
            )
        return changed


def _live(name: str) -> Table:
    return tables.metadata.tables[f"{tables.SCHEMA}.{name}"]


LIVE = AnalyticsModel({name: _live(name) for name in tables.LIVE_TABLES})
"""The model the admin endpoint reads."""
