"""The composition root's builders: every engine, client and consumer the processes run on."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from foundation.database import create_engine
from orderflow.settings import Settings


def database_engine(settings: Settings) -> AsyncEngine:
    """The pooled engine of one process, from the settings."""
    return create_engine(settings.database.url, pool_size=settings.database.pool_size)
