"""The one import surface of the fulfillment domain."""

from domains.fulfillment.handlers import (
    advance_shipment,
    cancel_shipment,
    create_shipment,
    get_shipment,
    shipments_in_transit,
)
from domains.fulfillment.model import TRANSITIONS, Shipment, ShipmentStatus
from domains.fulfillment.tables import metadata

__all__ = [
    "TRANSITIONS",
    "Shipment",
    "ShipmentStatus",
    "advance_shipment",
    "cancel_shipment",
    "create_shipment",
    "get_shipment",
    "metadata",
    "shipments_in_transit",
]
