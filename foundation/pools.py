"""Connection pools that say how full they are: in use, kept, most, waiting, timed out.

A process keeps its database connections in named pools (``critical`` for the API's checkout
path, ``background`` for the relay, consumers, jobs and reports: see ``orderflow.wiring.pools``),
so that one side exhausting its pool leaves the other's connections alone. These figures show
which side is short, by the label ``pool``:

- ``orderflow_db_pool_in_use``: connections checked out now;
- ``orderflow_db_pool_size``: connections the pool keeps open between uses;
- ``orderflow_db_pool_max``: the most it opens at once (size plus as many again for bursts);
- ``orderflow_db_pool_waiting``: tasks waiting for a connection (one is free soon, or the wait
  ends in a pool timeout);
- ``orderflow_db_pool_timeouts_total``: checkouts that gave up after the pool's timeout.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter, Gauge
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry

IN_USE = Gauge("orderflow_db_pool_in_use", "Database connections checked out now", ["pool"])
SIZE = Gauge("orderflow_db_pool_size", "Database connections a pool keeps open", ["pool"])
MAX = Gauge("orderflow_db_pool_max", "The most database connections a pool opens", ["pool"])
WAITING = Gauge(
    "orderflow_db_pool_waiting", "Tasks waiting for a connection of a database pool", ["pool"]
)
TIMEOUTS = Counter(
    "orderflow_db_pool_timeouts_total",
    "Checkouts that waited the pool's whole timeout for a connection and gave up",
    ["pool"],
)


class WatchedPool(AsyncAdaptedQueuePool):
    """SQLAlchemy's asyncio queue pool, counting the checkouts under way and the timeouts.

    ``_do_get`` is the one place a checkout waits (for a connection handed back, or for a new
    one to connect); SQLAlchemy's own pools override it the same way. ``name`` labels the
    figures; ``recreate`` (after ``engine.dispose()``) keeps it.
    """

    name = "unnamed"
    waiting = 0
    # SQLAlchemy names a pool's logger after its class; keep the one its pools log under
    # (``sqlalchemy.*``, quiet below WARNING) rather than ours.
    _sqla_logger_namespace = "sqlalchemy.pool.impl.AsyncAdaptedQueuePool"

    def _do_get(self) -> ConnectionPoolEntry:
        self.waiting += 1
        try:
            return super()._do_get()
        except PoolTimeoutError:
            TIMEOUTS.labels(pool=self.name).inc()
            raise
        finally:
            self.waiting -= 1

    def recreate(self) -> WatchedPool:
        pool = super().recreate()
        assert isinstance(pool, WatchedPool)  # QueuePool.recreate keeps the class
        pool.name = self.name
        return pool


def watch_pool(engine: AsyncEngine, name: str, most: int) -> None:
    """Export the figures of ``engine``'s pool (made with ``poolclass=WatchedPool``, opening at
    most ``most`` connections) as ``pool=name``; read at each scrape from its current pool."""
    current = engine.sync_engine.pool
    if not isinstance(current, WatchedPool):
        raise TypeError("watch_pool needs an engine made with poolclass=WatchedPool")
    current.name = name

    def pool() -> Any:
        return engine.sync_engine.pool

    IN_USE.labels(pool=name).set_function(lambda: pool().checkedout())
    SIZE.labels(pool=name).set_function(lambda: pool().size())
    MAX.labels(pool=name).set(most)
    WAITING.labels(pool=name).set_function(lambda: pool().waiting)
    TIMEOUTS.labels(pool=name)  # zero from the start: rate() needs a first sample
