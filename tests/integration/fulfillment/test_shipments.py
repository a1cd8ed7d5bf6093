"""Shipments on PostgreSQL: one per order, milestones published through the outbox."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.fulfillment.api import (
    ShipmentStatus,
    advance_shipment,
    cancel_shipment,
    create_shipment,
)
from domains.shared import Conflict

Sessions = async_sessionmaker[AsyncSession]
S = ShipmentStatus


async def _events(sessions: Sessions, shipment_id: uuid.UUID) -> list[str]:
    async with sessions() as session:
        rows = await session.execute(
            text("SELECT event_type FROM outbox.events WHERE key = :k ORDER BY id"),
            {"k": str(shipment_id)},
        )
    return [r.event_type for r in rows]


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
    assert await _events(sessions, first.id) == ["fulfillment.ShipmentCreated"]


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
    assert await _events(sessions, shipment.id) == [
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
