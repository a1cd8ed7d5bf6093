"""The read models' side of the API and the jobs: the recommendation reader and its fallback."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers import analytics, recommendations
from consumers.runtime import Consumer
from orderflow.settings import Settings
from orderflow.wiring.deployment import in_deployment

BEST_SELLER_DAYS = 30


def recommendations_group(settings: Settings) -> Consumer:
    """The recommendations consumer group as this deployment runs it."""
    return in_deployment(settings, recommendations.recommendations_consumer())


async def best_sellers(
    session: AsyncSession, sku: str, limit: int
) -> list[recommendations.Suggestion]:
    """The fallback: the products in most sold orders of the last 30 days, from analytics."""
    period = analytics.Period.last(BEST_SELLER_DAYS)
    found = await analytics.best_sellers(session, period, limit=limit, exclude=[sku])
    return [recommendations.Suggestion(other, orders) for other, orders in found]


def recommendation_reader(
    sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> recommendations.RecommendationReader:
    """What answers ``GET /v1/products/{sku}/recommendations``."""
    config = settings.recommendations
    limits = recommendations.ReadLimits(
        statement_timeout_ms=config.statement_timeout_ms,
        budget_seconds=config.budget_seconds,
        max_staleness_seconds=config.max_staleness_seconds,
        # Several missed measurements in a row: the probe is not running, staleness unknown.
        measurement_valid_seconds=max(60.0, 4 * config.freshness_interval_seconds),
    )
    return recommendations.RecommendationReader(
        sessions, best_sellers, group=recommendations_group(settings).name, limits=limits
    )
