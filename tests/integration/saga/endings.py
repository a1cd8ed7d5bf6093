"""How an order ended, everywhere it shows: the order, its shipment, its refunds, its parcels at
the carrier and its stock; and the two endings a cancellation may have."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from devtools.fakes.carrier import CarrierState
from tests.integration.saga.orders import refunds_of, shipment_of, status_of
from tests.support.shop import available

Sessions = async_sessionmaker[AsyncSession]


@dataclass(frozen=True)
class Ending:
    """An order's end state."""

    order: str
    shipment: str | None
    refunds: int
    parcels: tuple[str, ...]  # the statuses of its parcels at the carrier
    available: int  # the stock of its SKU


async def ending_of(
    sessions: Sessions, carrier: CarrierState, order_id: uuid.UUID, sku: str
) -> Ending:
    """Read everything back."""
    shipment = await shipment_of(sessions, order_id)
    parcels = tuple(
        carrier.view(reference)["status"]
        for reference, parcel in list(carrier.parcels.items())
        if parcel["order_id"] == str(order_id)
    )
    return Ending(
        order=await status_of(sessions, order_id),
        shipment=None if shipment is None else str(shipment["status"]),
        refunds=await refunds_of(sessions, order_id),
        parcels=parcels,
        available=await available(sessions, sku),
    )


def cancelled_and_not_shipped(ending: Ending, *, stock: int) -> bool:
    """Cancelled, refunded once, its stock back, nothing at the carrier but voided labels."""
    return (
        ending.order == "cancelled"
        and ending.shipment in (None, "cancelled")
        and ending.refunds == 1
        and all(status == "voided" for status in ending.parcels)
        and ending.available == stock
    )


def shipped_and_not_refunded(ending: Ending, *, stock: int, quantity: int) -> bool:
    """Shipped (or delivered) with one parcel the carrier has, nothing refunded or restocked."""
    return (
        ending.order in ("shipped", "delivered")
        and ending.shipment == ending.order
        and ending.refunds == 0
        and len(ending.parcels) == 1
        and ending.parcels[0] in ("in_transit", "delivered")
        and ending.available == stock - quantity
    )
