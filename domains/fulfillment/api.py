"""The one import surface of the fulfillment domain."""

from domains.fulfillment.calls import (
    AlreadyShipped,
    Booked,
    CallOutcome,
    CallStatus,
    CarrierCall,
    CarrierOperation,
    HandedOver,
    Voided,
    call_key,
)
from domains.fulfillment.carrier_work import (
    carrier_calls_to_make,
    record_call_done,
    record_call_failed,
)
from domains.fulfillment.handlers import (
    advance_shipment,
    create_shipment,
    get_shipment,
    prepare_shipment,
    shipments_in_transit,
    stop_shipment,
)
from domains.fulfillment.model import NOT_LEFT, TRANSITIONS, Shipment, ShipmentStatus
from domains.fulfillment.tables import metadata

__all__ = [
    "NOT_LEFT",
    "TRANSITIONS",
    "AlreadyShipped",
    "Booked",
    "CallOutcome",
    "CallStatus",
    "CarrierCall",
    "CarrierOperation",
    "HandedOver",
    "Shipment",
    "ShipmentStatus",
    "Voided",
    "advance_shipment",
    "call_key",
    "carrier_calls_to_make",
    "create_shipment",
    "get_shipment",
    "metadata",
    "prepare_shipment",
    "record_call_done",
    "record_call_failed",
    "shipments_in_transit",
    "stop_shipment",
]
