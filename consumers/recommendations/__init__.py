"""Recommendations: "bought together" pair counts from confirmed orders, a non-critical read.

``recommendations_consumer`` keeps the counts (each confirmed order once, taken back once when
cancelled or refunded); ``run_freshness_probe`` measures how far behind the group is;
``RecommendationReader`` answers the route, falling back to best sellers (marked) when the
model is unavailable, stale or has nothing for the product; ``build_router`` serves
``GET /v1/products/{sku}/recommendations``.
"""

from consumers.recommendations.consumer import (
    GROUP,
    recommendation_topics,
    recommendations_consumer,
)
from consumers.recommendations.counting import MAX_PAIRED_SKUS, should_count
from consumers.recommendations.freshness import (
    Freshness,
    FreshnessProbe,
    record_freshness,
    run_freshness_probe,
)
from consumers.recommendations.http import build_router
from consumers.recommendations.reading import (
    Answer,
    BestSellers,
    ReadLimits,
    RecommendationReader,
    Suggestion,
)
from consumers.recommendations.tables import metadata

__all__ = [
    "GROUP",
    "MAX_PAIRED_SKUS",
    "Answer",
    "BestSellers",
    "Freshness",
    "FreshnessProbe",
    "ReadLimits",
    "RecommendationReader",
    "Suggestion",
    "build_router",
    "metadata",
    "recommendation_topics",
    "recommendations_consumer",
    "record_freshness",
    "run_freshness_probe",
    "should_count",
]
