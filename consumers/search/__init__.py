"""The search read model: products and orders in PostgreSQL full text, version-guarded.

``search_consumer`` keeps the live index current; ``rebuild_index`` builds a fresh one from
the beginning of the topics and swaps it in; ``build_router`` serves ``GET /v1/search``.
"""

from consumers.search.consumer import GROUP, indexed_topics, search_consumer
from consumers.search.http import build_router
from consumers.search.index import LIVE, SearchIndex
from consumers.search.projections import INDEXED_EVENTS, Patch, patches_of
from consumers.search.query import SearchPage, search
from consumers.search.tables import metadata

__all__ = [
    "GROUP",
    "INDEXED_EVENTS",
    "LIVE",
    "Patch",
    "SearchIndex",
    "SearchPage",
    "build_router",
    "indexed_topics",
    "metadata",
    "patches_of",
    "search",
    "search_consumer",
]
