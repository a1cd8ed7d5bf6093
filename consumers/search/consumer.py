"""The search consumer group: catalog and order events into the ``search`` read model."""

from __future__ import annotations

from consumers.runtime import Consumer
from consumers.search.handlers import index_event
from consumers.search.projections import INDEXED_EVENTS
from events import registry

GROUP = "search"


def indexed_topics() -> tuple[str, ...]:
    """The topics the index is built from."""
    return tuple(sorted({registry.spec_for(event).topic for event in INDEXED_EVENTS}))


def search_consumer(*, group: str = GROUP) -> Consumer:
    """The search group; one handler for every indexed event type."""
    return Consumer(
        name=group, topics=indexed_topics(), handlers=dict.fromkeys(INDEXED_EVENTS, index_event)
    )
