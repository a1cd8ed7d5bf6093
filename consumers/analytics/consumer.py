"""The analytics consumer group: order, payment and catalog events into the ``analytics`` facts."""

from __future__ import annotations

from consumers.analytics.facts import ANALYSED_EVENTS
from consumers.analytics.model import LIVE
from consumers.runtime import Consumer, MessageContext
from events import IntegrationEvent, registry

GROUP = "analytics"


def analysed_topics() -> tuple[str, ...]:
    """The topics the analytics model is built from."""
    return tuple(sorted({registry.spec_for(event).topic for event in ANALYSED_EVENTS}))


async def record_facts(event: IntegrationEvent, ctx: MessageContext) -> None:
    """Write what ``event`` says into the live facts (older or repeated events change nothing)."""
    await LIVE.apply(ctx.session, event, ctx.envelope)


def analytics_consumer(*, group: str = GROUP) -> Consumer:
    """The analytics group; one handler for every analysed event type."""
    return Consumer(
        name=group, topics=analysed_topics(), handlers=dict.fromkeys(ANALYSED_EVENTS, record_facts)
    )
