"""The recommendations consumer group: confirmed orders into "bought together" pair counts."""

from __future__ import annotations

from consumers.recommendations.handlers import HANDLERS
from consumers.runtime import Consumer
from events import registry

GROUP = "recommendations"


def recommendation_topics() -> tuple[str, ...]:
    """The topics the pair counts are built from."""
    return tuple(sorted({registry.spec_for(event).topic for event in HANDLERS}))


def recommendations_consumer(*, group: str = GROUP) -> Consumer:
    """The recommendations group."""
    return Consumer(name=group, topics=recommendation_topics(), handlers=dict(HANDLERS))
