"""Fulfillment wiring: the carrier adapter and the delivery-tracking job, from the settings."""

from __future__ import annotations

import asyncio

from consumers.fulfillment import CarrierConfig, HttpCarrier, run_delivery_tracking
from foundation.database import create_sessions
from orderflow.settings import Settings
from orderflow.wiring import database_engine


def http_carrier(settings: Settings) -> HttpCarrier:
    """The carrier client of this deployment."""
    return HttpCarrier(
        CarrierConfig(
            base_url=settings.fulfillment.carrier_url,
            timeout_seconds=settings.fulfillment.carrier_timeout_seconds,
        )
    )


async def run_tracking(settings: Settings, stop: asyncio.Event) -> None:
    """Record delivered parcels (``ShipmentDelivered``) until ``stop`` is set."""
    engine = database_engine(settings)
    try:
        await run_delivery_tracking(
            create_sessions(engine),
            http_carrier(settings),
            stop,
            interval_seconds=settings.fulfillment.delivery_tracking_interval_seconds,
        )
    finally:
        await engine.dispose()
