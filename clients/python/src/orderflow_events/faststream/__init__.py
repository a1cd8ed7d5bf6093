"""FastStream integration: typed, upcast events with their metadata, and dead letters.

router = EventRouter(group_id="loyalty")

@router.subscriber(OrderConfirmed)
async def award_points(event: OrderConfirmed, meta: Metadata) -> None: ...

broker.include_router(router.kafka)
"""

from orderflow_events.faststream.dead_letters import dead_letters
from orderflow_events.faststream.decoding import Metadata, decode_message, event_metadata
from orderflow_events.faststream.router import EventRouter

__all__ = ["EventRouter", "Metadata", "dead_letters", "decode_message", "event_metadata"]
