"""Delivery tracking: ask the carrier about shipped parcels; record the delivered ones.

The carrier is polled (not called back), so nothing needs to reach us from outside; a
delivered parcel becomes ``ShipmentDelivered`` through the outbox. Several trackers may run:
the shipment's version check lets exactly one of them record a delivery.
"""

from __future__ import annotations

import asyncio

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.fulfillment.carrier import Carrier
from domains.fulfillment import api as fulfillment
from domains.shared import Conflict
from foundation.jobs import Backoff, run_every

log = structlog.get_logger("orderflow.fulfillment.tracking")
S_DELIVERED = fulfillment.ShipmentStatus.DELIVERED


async def track_deliveries(
    sessions: async_sessionmaker[AsyncSession], carrier: Carrier, *, limit: int = 100
) -> int:
    """One pass over up to ``limit`` shipments in transit; returns how many were delivered."""
    async with sessions() as session:
        in_transit = await fulfillment.shipments_in_transit(session, limit=limit)
    delivered = 0
    for shipment in in_transit:
        parcel = await carrier.track(shipment.id)
        if parcel is None or parcel.status != "delivered":
            continue
        try:
            async with sessions.begin() as session:
                await fulfillment.advance_shipment(session, shipment.id, S_DELIVERED)
        except Conflict:
            continue  # another tracker recorded it first
        delivered += 1
    return delivered


async def run_delivery_tracking(
    sessions: async_sessionmaker[AsyncSession],
    carrier: Carrier,
    stop: asyncio.Event,
    *,
    interval_seconds: float = 5.0,
    backoff: Backoff = Backoff(),  # noqa: B008  (frozen)
) -> None:
    """Track deliveries every ``interval_seconds`` until ``stop`` (the job
    ``fulfillment:tracking``): a pass that fails — the carrier or the database away — backs off
    and the job goes on."""

    async def one_pass() -> None:
        delivered = await track_deliveries(sessions, carrier)
        if delivered:
            log.info("deliveries_recorded", count=delivered)

    await run_every("fulfillment:tracking", one_pass, interval_seconds, stop, backoff=backoff)
