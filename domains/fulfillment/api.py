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
    stop_shipment,
)
from domains.fulfillment.model import NOT_LEFT, TRANSITIONS, Shipment, ShipmentStatus
from domains.fulfillment.tables import metadata
from domains.fulfillment.tracking import (
    LostParcel,
    TrackedShipment,
    TrackingAnswer,
    UnknownParcel,
    UnknownParcelBackoff,
)
from domains.fulfillment.tracking_work import (
    claim_shipments_to_track,
    count_parcels_unknown,
    parcels_unknown,
    record_tracking_answers,
)

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
    "LostParcel",
    "Shipment",
    "ShipmentStatus",
    "TrackedShipment",
    "TrackingAnswer",
    "UnknownParcel",
    "UnknownParcelBackoff",
    "Voided",
    "advance_shipment",
    "call_key",
    "carrier_calls_to_make",
    "claim_shipments_to_track",
    "count_parcels_unknown",
    "create_shipment",
    "get_shipment",
    "metadata",
    "parcels_unknown",
    "prepare_shipment",
    "record_call_done",
    "record_call_failed",
    "record_tracking_answers",
    "stop_shipment",
]
