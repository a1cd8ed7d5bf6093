"""The fulfillment consumer group: confirmed orders become shipments that leave the warehouse,
unless their cancellation comes first."""

from __future__ import annotations

from consumers.fulfillment.carrier import Carrier
from consumers.fulfillment.carrier_calls import MARK_PATIENCE_SECONDS, CarrierCalls
from consumers.fulfillment.handlers import (
    open_shipment,
    prepare_shipment,
    shipment_of_event,
    shipment_of_order,
    stop_shipment,
)
from consumers.runtime import Consumer, Effect, Handler
from events import IntegrationEvent, registry
from events.schemas.fulfillment import ShipmentCreated
from events.schemas.orders import OrderCancellationRequested, OrderConfirmed

GROUP = "fulfillment"


def fulfillment_consumer(
    carrier: Carrier, *, group: str = GROUP, mark_patience_seconds: float = MARK_PATIENCE_SECONDS
) -> Consumer:
    """The fulfillment group on the order and shipment topics, shipping with ``carrier``.

    Handlers record what is to be done at the carrier; the effects make those calls after the
    batch committed (``mark_patience_seconds``: how long a failing mark is retried before the
    batch waits).
    """
    calls = CarrierCalls(carrier, mark_patience_seconds=mark_patience_seconds)
    handlers: dict[type[IntegrationEvent], Handler] = {
        OrderConfirmed: open_shipment,
        ShipmentCreated: prepare_shipment,
        OrderCancellationRequested: stop_shipment,
    }
    effects: dict[type[IntegrationEvent], Effect] = {
        ShipmentCreated: calls.effect(shipment_of_event),
        OrderCancellationRequested: calls.effect(shipment_of_order),
    }
    topics = tuple(sorted({registry.spec_for(event).topic for event in handlers}))
    return Consumer(name=group, topics=topics, handlers=handlers, effects=effects)
