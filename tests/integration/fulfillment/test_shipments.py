"""Shipments on PostgreSQL: one per order, milestones published through the outbox."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.fulfillment.api import (
    ShipmentStatus,
    advance_shipment,
    cancel_shipment,
    create_shipment,
)
from domains.shared import Conflict
from tests.support.outbox import event_types

Sessions = async_sessionmaker[AsyncSession]
S = ShipmentStatus


async def test_creating_a_shipment_twice_for_an_order_returns_the_first(
    sessions: Sessions,
) -> None:
    order_id = uuid.uuid4()
    async with sessions() as session:
        first = await create_shipment(session, order_id)
        await session.commit()
    async with sessions() as session:
        again = await create_shipment(session, order_id)
        await session.commit()

    assert again.id == first.id
    assert await event_types(sessions, first.id) == ["fulfillment.ShipmentCreated"]


async def test_a_shipment_travels_to_delivered_publishing_shipped_and_delivered(
    sessions: Sessions,
) -> None:
    async with sessions() as session:
        shipment = await create_shipment(session, uuid.uuid4())
        for step in (S.PICKED, S.PACKED):
            await advance_shipment(session, shipment.id, step)
        await advance_shipment(
            session, shipment.id, S.SHIPPED, carrier="dhl", tracking_number="JD1"
        )
        done = await advance_shipment(session, shipment.id, S.DELIVERED)
        await session.commit()

    assert done.status is S.DELIVERED
    assert done.tracking_number == "JD1"
    assert await event_types(sessions, shipment.id) == [
        "fulfillment.ShipmentCreated",
        "fulfillment.ShipmentShipped",
        "fulfillment.ShipmentDelivered",
    ]


async def test_a_shipped_parcel_cannot_be_cancelled(sessions: Sessions) -> None:
    async with sessions() as session:
        shipment = await create_shipment(session, uuid.uuid4())
        for step in (S.PICKED, S.PACKED, S.SHIPPED):
            await advance_shipment(session, shipment.id, step)

        with pytest.raises(Conflict) as refused:
            await cancel_shipment(session, shipment.id)

    assert refused.value.code == "illegal_transition"
