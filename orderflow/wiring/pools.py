"""The bulkheads between a process's shoppers and its background work: two database pools.

``critical``: the API's shopper routes (checkout, orders, sign-in, catalog, search) and its
health checks. ``background``: the relay's housekeeping, every consumer group, the background
jobs and the API's reports (analytics, recommendations). ``orderflow run`` makes one pair and
hands it to every job, so a flood of consumer batches, a backlog of jobs or a slow report
waits for a *background* connection and the checkout's connections stay free; the most a
process opens is the two pools' maxima (plus the relay's own claim connections).

Every engine is made when first asked for, inside the event loop that uses it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from foundation.database import create_engine
from orderflow.settings import Settings

CRITICAL = "critical"
BACKGROUND = "background"


class DatabasePools:
    """The critical and the background engine of one process, made on first use."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings.database
        self._engines: dict[str, AsyncEngine] = {}

    @property
    def critical(self) -> AsyncEngine:
        """The shoppers' engine (``ORDERFLOW_DATABASE_POOL_*``)."""
        database = self._settings
        return self._engine(CRITICAL, database.pool_size, database.pool_timeout_seconds)

    @property
    def background(self) -> AsyncEngine:
        """The engine of background work (``ORDERFLOW_DATABASE_BACKGROUND_POOL_*``)."""
        database = self._settings
        return self._engine(
            BACKGROUND, database.background_pool_size, database.background_pool_timeout_seconds
        )

    def _engine(self, name: str, size: int, timeout: float) -> AsyncEngine:
        if name not in self._engines:
            self._engines[name] = create_engine(
                self._settings.url,
                pool_size=size,
                pool_timeout=timeout,
                name=name,
                # A shopper's request must not fail on a connection the server closed while
                # it was pooled; background work waits such faults out and runs again anyway.
                early_begin=name == CRITICAL,
            )
        return self._engines[name]

    async def dispose(self) -> None:
        """Close every connection of both pools."""
        for engine in self._engines.values():
            await engine.dispose()


@asynccontextmanager
async def pools_of(
    settings: Settings, shared: DatabasePools | None
) -> AsyncIterator[DatabasePools]:
    """``shared`` when a process hands its pools to several jobs (they outlive the job), or
    pools of the job's own, closed when it ends (a process that runs one job)."""
    if shared is not None:
        yield shared
        return
    own = DatabasePools(settings)
    try:
        yield own
    finally:
        await own.dispose()
