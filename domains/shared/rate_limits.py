"""Rate limits shared by every API process: GCRA buckets in PostgreSQL, one statement a check.

GCRA (the generic cell rate algorithm) keeps one timestamp per key, the theoretical arrival
time ``tat``. A rate of ``count`` per ``period`` spaces requests ``T = period / count`` apart
and tolerates a burst of ``count``: a request at ``now`` is allowed when
``tat <= now + period - T``, which moves ``tat`` to ``max(tat, now) + T``. It is exact (no
window edges letting twice the rate through), needs no background job to refill, and the check
is one UPSERT that PostgreSQL serializes per key — so two API processes share the same budget.
Keys are SHA-256 digests: the table holds no address or e-mail in plain.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import timedelta

from prometheus_client import Counter
from sqlalchemy import Column, DateTime, LargeBinary, MetaData, Table, text
from sqlalchemy.ext.asyncio import AsyncEngine

from domains.shared.errors import RateLimited
from foundation.naming import NAMING_CONVENTION

metadata = MetaData(schema="limits", naming_convention=NAMING_CONVENTION)

buckets = Table(
    "buckets",
    metadata,
    Column("key", LargeBinary, primary_key=True),
    Column("tat", DateTime(timezone=True), nullable=False),
)

RATE_LIMITED = Counter(
    "orderflow_rate_limited_total",
    "Requests refused by a rate limit (429), by route and scope (account, address).",
    ["route", "scope"],
)

# One round trip: the CTE charges the bucket when the request fits; the outer SELECT reads the
# bucket as it was before the statement, which is what Retry-After is computed from.
_CHECK = text(
    """
    WITH charged AS (
        INSERT INTO limits.buckets AS b (key, tat) VALUES (:key, now() + :interval)
        ON CONFLICT (key) DO UPDATE SET tat = GREATEST(b.tat, now()) + :interval
            WHERE b.tat <= now() + :tolerance
        RETURNING b.tat
    )
    SELECT EXISTS (SELECT 1 FROM charged) AS allowed,
           EXTRACT(EPOCH FROM (
               (SELECT tat FROM limits.buckets WHERE key = :key) - now() - :tolerance
           )) AS wait
    """
)
_SWEEP = text(
    "DELETE FROM limits.buckets WHERE key IN "
    "(SELECT key FROM limits.buckets WHERE tat < now() LIMIT 1000)"
)
SWEEP_EVERY = 500  # checks, on average: keeps the table to the keys seen lately


@dataclass(frozen=True)
class Limit:
    """``count`` requests per ``period_seconds`` for one (route, scope)."""

    route: str
    scope: str
    count: int
    period_seconds: float

    @property
    def interval(self) -> timedelta:
        """The spacing of requests at the sustained rate (GCRA's T)."""
        return timedelta(seconds=self.period_seconds / self.count)

    @property
    def tolerance(self) -> timedelta:
        """How far ahead of now a bucket may run and still admit (period - T)."""
        return timedelta(seconds=self.period_seconds) - self.interval


class RateLimiter:
    """Checks limits against PostgreSQL; ``enabled=False`` admits everything (benchmarks)."""

    def __init__(self, engine: AsyncEngine, *, enabled: bool = True) -> None:
        # Autocommit: the check is one statement, one round trip, no BEGIN/COMMIT around it.
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.enabled = enabled

    async def check(self, limit: Limit, subject: str) -> None:
        """Charge one request of ``subject`` to ``limit``; ``RateLimited`` when over it."""
        if not self.enabled:
            return
        key = hashlib.sha256(f"{limit.route}\0{limit.scope}\0{subject}".encode()).digest()
        params = {"key": key, "interval": limit.interval, "tolerance": limit.tolerance}
        async with self._engine.connect() as conn:
            row = (await conn.execute(_CHECK, params)).one()
            if random.randrange(SWEEP_EVERY) == 0:  # noqa: S311 (not for security)
                await conn.execute(_SWEEP)
        if not row.allowed:
            RATE_LIMITED.labels(limit.route, limit.scope).inc()
            raise RateLimited(
                f"too many {limit.route} requests for this {limit.scope}; try again later",
                retry_after=max(1.0, float(row.wait or 0)),
                scope=limit.scope,
            )
