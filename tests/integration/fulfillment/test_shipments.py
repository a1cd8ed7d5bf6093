"""Shipments on PostgreSQL: one per order, milestones published through the outbox."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.fulfillment.api import (
    Booked,
    CarrierOperation,
    ShipmentStatus,
    Voided,
    advance_shipment,
    carrier_calls_to_make,
    create_shipment,
    prepare_shipment,
    record_call_done,
    stop_shipment,
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


async def test_a_shipped_parcel_is_not_stopped(sessions: Sessions) -> None:
    async with sessions.begin() as session:
        shipment = await create_shipment(session, uuid.uuid4())
        for step in (S.PICKED, S.PACKED, S.SHIPPED):
            await advance_shipment(session, shipment.id, step)
        stopped = await stop_shipment(session, shipment.order_id)

        with pytest.raises(Conflict) as refused:
            await advance_shipment(session, shipment.id, S.CANCELLED)

    assert stopped.status is S.SHIPPED
    assert refused.value.code == "illegal_transition"
    assert "fulfillment.ShipmentCancelled" not in await event_types(sessions, shipment.id)


async def test_a_shipment_nothing_was_booked_for_is_cancelled_at_once(sessions: Sessions) -> None:
    async with sessions.begin() as session:
        shipment = await create_shipment(session, uuid.uuid4())
        stopped = await stop_shipment(session, shipment.order_id)
        calls = await carrier_calls_to_make(session, shipment.id)

    assert stopped.status is S.CANCELLED
    assert calls == []
    assert (await event_types(sessions, shipment.id))[-1] == "fulfillment.ShipmentCancelled"


async def test_a_prepared_shipment_records_its_booking_and_stops_by_voiding_it(
    sessions: Sessions,
) -> None:
    async with sessions.begin() as session:
        shipment = await create_shipment(session, uuid.uuid4())
        packed = await prepare_shipment(session, shipment.id)
        booking = await carrier_calls_to_make(session, shipment.id)
    async with sessions.begin() as session:
        stopping = await stop_shipment(session, shipment.order_id)
        calls = await carrier_calls_to_make(session, shipment.id)

    assert packed.status is S.PACKED
    assert [c.operation for c in booking] == [CarrierOperation.BOOK]
    assert stopping.status is S.CANCELLING
    assert [c.operation for c in calls] == [CarrierOperation.BOOK, CarrierOperation.VOID]
    assert booking[0].key == f"book:{shipment.id}"
    assert "fulfillment.ShipmentCancelled" not in await event_types(sessions, shipment.id)


async def test_the_answers_of_the_carrier_cancel_a_stopping_shipment_once(
    sessions: Sessions,
) -> None:
    async with sessions.begin() as session:
        shipment = await create_shipment(session, uuid.uuid4())
        await prepare_shipment(session, shipment.id)
        await stop_shipment(session, shipment.order_id)
        book, void = await carrier_calls_to_make(session, shipment.id)
    async with sessions.begin() as session:
        booked = await record_call_done(session, book, Booked("dhl", "JD1"))
        again = await record_call_done(session, book, Booked("dhl", "JD2"))
        voided = await record_call_done(session, void, Voided())
        left = await carrier_calls_to_make(session, shipment.id)

    assert (booked, again, voided) == (True, False, True)
    assert left == []
    assert (await event_types(sessions, shipment.id))[-1] == "fulfillment.ShipmentCancelled"


async def test_a_booked_label_ships_a_packed_parcel_and_records_its_hand_over(
    sessions: Sessions,
) -> None:
    async with sessions.begin() as session:
        shipment = await create_shipment(session, uuid.uuid4())
        await prepare_shipment(session, shipment.id)
        (book,) = await carrier_calls_to_make(session, shipment.id)
        await record_call_done(session, book, Booked("dhl", "JD1"))
        (hand_over,) = await carrier_calls_to_make(session, shipment.id)
        stopped = await stop_shipment(session, shipment.order_id)

    assert hand_over.operation is CarrierOperation.HAND_OVER
    assert (stopped.status, stopped.carrier, stopped.tracking_number) == (S.SHIPPED, "dhl", "JD1")
