"""Reading recommendations, with a deliberate fallback: the model is a non-critical dependency.

The model is read in one short transaction with tight ``statement_timeout`` and
``lock_timeout`` (a dropped, locked or slow table fails fast instead of holding the request)
inside an overall time budget (which also bounds waiting for a pooled connection). When it
fails, is stale or knows nothing about the product, the answer is the best sellers, read the
same careful way, or an empty list when even that fails — marked as a fallback with the
reason, counted in ``orderflow_recommendations_fallback_total{reason}``, never an error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal, TypeVar

import structlog
from prometheus_client import Counter
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.recommendations.tables import freshness, pairs
from consumers.runtime import describe

log = structlog.get_logger("orderflow.recommendations")

_T = TypeVar("_T")
Reason = Literal["model_unavailable", "model_stale", "not_enough_data"]
FALLBACKS = Counter(
    "orderflow_recommendations_fallback_total",
    "Recommendation answers that were a fallback instead of the model, by reason",
    ["reason"],
)
SERVED = Counter(
    "orderflow_recommendations_served_total",
    "Recommendation answers, by where they came from (model, best_sellers, none)",
    ["source"],
)
# What "the model is unavailable" looks like: the database refusing or timing out (a dropped
# or locked table, statement or lock timeout, lost connection) or the time budget running out.
UNAVAILABLE = (SQLAlchemyError, OSError, TimeoutError)


@dataclass(frozen=True)
class Suggestion:
    """A product to suggest and how many orders back it."""

    sku: str
    orders: int


@dataclass(frozen=True)
class ReadLimits:
    """How long a read may take and how old the model may be."""

    statement_timeout_ms: int = 250
    budget_seconds: float = 1.0
    max_staleness_seconds: float = 300.0
    # A freshness row older than this is not trusted (its probe is not running): unknown.
    measurement_valid_seconds: float = 120.0


@dataclass(frozen=True)
class Answer:
    """What the route answers."""

    sku: str
    items: list[Suggestion]
    reason: Reason | None = None
    fallback: Literal["best_sellers", "none"] | None = None
    behind_seconds: float | None = field(default=None)

    @property
    def source(self) -> Literal["model", "fallback"]:
        """``model`` unless a fallback answered."""
        return "model" if self.reason is None else "fallback"


BestSellers = Callable[[AsyncSession, str, int], Awaitable[list[Suggestion]]]
"""Best sellers other than the given SKU, at most that many (the fallback's source)."""


class RecommendationReader:
    """Answers ``GET /v1/products/{sku}/recommendations``."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        best_sellers: BestSellers,
        *,
        group: str,
        limits: ReadLimits | None = None,
    ) -> None:
        self._sessions = sessions
        self._best_sellers = best_sellers
        self._group = group
        self._limits = limits or ReadLimits()

    async def recommend(self, sku: str, limit: int) -> Answer:
        """The products bought together with ``sku`` most often, or a marked fallback."""
        try:
            async with asyncio.timeout(self._limits.budget_seconds):
                items, behind = await self._careful(lambda s: self._model(s, sku, limit))
        except UNAVAILABLE as error:
            return await self._fallback(sku, limit, "model_unavailable", None, error)
        if behind is not None and behind > self._limits.max_staleness_seconds:
            return await self._fallback(sku, limit, "model_stale", behind)
        if not items:
            return await self._fallback(sku, limit, "not_enough_data", behind)
        SERVED.labels("model").inc()
        return Answer(sku, items, behind_seconds=behind)

    async def _model(
        self, session: AsyncSession, sku: str, limit: int
    ) -> tuple[list[Suggestion], float | None]:
        statement = (
            select(pairs.c.other_sku, pairs.c.orders)
            .where(pairs.c.sku == sku, pairs.c.orders > 0)
            .order_by(pairs.c.orders.desc(), pairs.c.other_sku)
            .limit(limit)
        )
        rows = (await session.execute(statement)).all()
        return [Suggestion(other, count) for other, count in rows], await self._behind(session)

    async def _behind(self, session: AsyncSession) -> float | None:
        """The measured staleness, None when no recent measurement exists (unknown)."""
        age = func.extract("epoch", func.now() - freshness.c.checked_at)
        row = (
            await session.execute(
                select(freshness.c.behind_seconds, age).where(freshness.c.consumer == self._group)
            )
        ).first()
        if row is None or float(row[1]) > self._limits.measurement_valid_seconds:
            return None
        return float(row[0])

    async def _fallback(
        self,
        sku: str,
        limit: int,
        reason: Reason,
        behind: float | None,
        error: BaseException | None = None,
    ) -> Answer:
        FALLBACKS.labels(reason).inc()
        # A product nobody bought with another is ordinary; a model that cannot answer is not.
        report = log.debug if reason == "not_enough_data" else log.warning
        report(
            "recommendations_fallback",
            sku=sku,
            reason=reason,
            behind_seconds=behind,
            error=describe(error) if error else None,
        )
        try:
            async with asyncio.timeout(self._limits.budget_seconds):
                items = await self._careful(lambda s: self._best_sellers(s, sku, limit))
        except UNAVAILABLE as failure:
            log.warning("best_sellers_unavailable", sku=sku, error=describe(failure))
            SERVED.labels("none").inc()
            return Answer(sku, [], reason, "none", behind)
        SERVED.labels("best_sellers").inc()
        return Answer(sku, items, reason, "best_sellers", behind)

    async def _careful(self, read: Callable[[AsyncSession], Awaitable[_T]]) -> _T:
        """``read`` in a read-only transaction that gives up quickly on locks and slowness."""
        timeout = f"{self._limits.statement_timeout_ms}ms"
        async with self._sessions() as session, session.begin():
            await session.execute(
                text(
                    "SELECT set_config('statement_timeout', :t, true), "
                    "set_config('lock_timeout', :t, true), "
                    "set_config('transaction_read_only', 'on', true)"
                ),
                {"t": timeout},
            )
            return await read(session)
