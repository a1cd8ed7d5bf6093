"""The analytics read model: order, payment and catalog events as facts, figures from them.

``analytics_consumer`` keeps the live facts current; ``rebuild_analytics`` builds fresh ones
from the beginning of the topics and swaps them in; ``build_router`` serves
``/v1/admin/analytics`` (JSON) and its CSV tables.
"""

from consumers.analytics.consumer import GROUP, analysed_topics, analytics_consumer
from consumers.analytics.facts import ANALYSED_EVENTS, Patch, patches_of
from consumers.analytics.figures import Period, best_sellers, top_products
from consumers.analytics.http import build_router
from consumers.analytics.model import LIVE, AnalyticsModel
from consumers.analytics.report import analytics_document
from consumers.analytics.tables import metadata

__all__ = [
    "ANALYSED_EVENTS",
    "GROUP",
    "LIVE",
    "AnalyticsModel",
    "Patch",
    "Period",
    "analysed_topics",
    "analytics_consumer",
    "analytics_document",
    "best_sellers",
    "build_router",
    "metadata",
    "patches_of",
    "top_products",
]
