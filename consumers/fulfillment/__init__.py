"""Fulfillment: shipments for confirmed orders, the carrier adapter, its calls made after commit,
and delivery tracking."""

from consumers.fulfillment.carrier import (
    Carrier,
    CarrierConfig,
    CarrierRejected,
    CarrierUnavailable,
    HttpCarrier,
    Parcel,
)
from consumers.fulfillment.carrier_calls import CarrierCalls, perform
from consumers.fulfillment.consumer import GROUP, fulfillment_consumer
from consumers.fulfillment.tracking import (
    TrackingPolicy,
    TrackingReport,
    run_delivery_tracking,
    track_deliveries,
)

__all__ = [
    "GROUP",
    "Carrier",
    "CarrierCalls",
    "CarrierConfig",
    "CarrierRejected",
    "CarrierUnavailable",
    "HttpCarrier",
    "Parcel",
    "TrackingPolicy",
    "TrackingReport",
    "fulfillment_consumer",
    "perform",
    "run_delivery_tracking",
    "track_deliveries",
]
