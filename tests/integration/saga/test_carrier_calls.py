"""Carrier calls are made after the commit, with an idempotency key, and marked after: a lost
answer or a crash calls again with the same key (one parcel), and a mark the database refuses
is retried, not the call. The database faults are real: a row lock held elsewhere and a
``lock_timeout`` on the effect's connections."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from consumers.fulfillment import CarrierCalls, CarrierUnavailable, perform
from consumers.runtime import EffectContext
from devtools.fakes.carrier import Behaviour
from domains.fulfillment import api as fulfillment
from events import new_envelope
from events.schemas.fulfillment import ShipmentCreated
from foundation.database import create_sessions
from orderflow.settings import Settings
from tests.integration.saga.support import FakeCarrier, WatchedCarrier

Sessions = async_sessionmaker[AsyncSession]
S = fulfillment.ShipmentStatus
LOCK_CALL = "SELECT 1 FROM fulfillment.carrier_calls WHERE idempotency_key = :key FOR UPDATE"


@pytest.fixture
async def impatient(database_url: str, settings: Settings) -> AsyncIterator[Sessions]:
    """Sessions whose statements give up on a row lock after 100 ms (SQLSTATE 55P03)."""
    engine = create_async_engine(
        database_url, connect_args={"server_settings": {"lock_timeout": "100"}}
    )
    try:
        yield create_sessions(engine, settings.deployment.namespace())
    finally:
        await engine.dispose()


async def packed_shipment(sessions: Sessions) -> fulfillment.Shipment:
    """A shipment picked and packed, its booking recorded and not made."""
    async with sessions.begin() as session:
        created = await fulfillment.create_shipment(session, uuid.uuid4())
        return await fulfillment.prepare_shipment(session, created.id)


async def make_calls(
    calls: CarrierCalls, sessions: Sessions, shipment: fulfillment.Shipment
) -> None:
    """Run the effect of the shipment's ``ShipmentCreated``, as the runtime does after commit."""
    event = ShipmentCreated(
        shipment_id=shipment.id, order_id=shipment.order_id, created_at=datetime.now(UTC)
    )

    async def locate(_: object, __: Sessions) -> uuid.UUID:
        return shipment.id

    context = EffectContext(sessions, new_envelope(event, aggregate_version=1))
    await calls.effect(locate)(event, context)


async def stored(
    sessions: Sessions, shipment_id: uuid.UUID
) -> tuple[str, list[tuple[str, str, int]]]:
    """The shipment's status and its calls: (operation, status, attempts)."""
    async with sessions() as session:
        status = await session.scalar(
            text("SELECT status FROM fulfillment.shipments WHERE id = :id"), {"id": shipment_id}
        )
        rows = await session.execute(
            text(
                "SELECT operation, status, attempts FROM fulfillment.carrier_calls "
                "WHERE shipment_id = :id ORDER BY created_at, operation"
            ),
            {"id": shipment_id},
        )
        return str(status), [(r.operation, r.status, r.attempts) for r in rows]


def parcels_of(carrier: FakeCarrier, shipment: fulfillment.Shipment) -> list[str]:
    """The statuses of the parcels the carrier has for the shipment's order."""
    return [
        carrier.state.view(ref)["status"]
        for ref, parcel in list(carrier.state.parcels.items())
        if parcel["order_id"] == str(shipment.order_id)
    ]


def counted(name: str, **labels: str) -> float:
    """The current value of a counter of this process."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_a_shipment_is_booked_shipped_and_handed_over_with_keys_and_marks(
    sessions: Sessions, carrier: FakeCarrier
) -> None:
    shipment = await packed_shipment(sessions)
    watched = WatchedCarrier(sessions, carrier.url)

    await make_calls(CarrierCalls(watched), sessions, shipment)

    status, calls = await stored(sessions, shipment.id)
    assert status == "shipped"
    assert calls == [("book", "done", 1), ("hand_over", "done", 1)]
    assert parcels_of(carrier, shipment) == ["in_transit"]
    assert {f"book:{shipment.id}", f"hand_over:{shipment.id}"} <= set(carrier.state.answers)


async def test_a_lost_answer_is_asked_again_with_the_same_key_and_books_one_parcel(
    sessions: Sessions, carrier: FakeCarrier
) -> None:
    shipment = await packed_shipment(sessions)
    watched = WatchedCarrier(sessions, carrier.url, timeout_seconds=0.3)
    carrier.state.behaviour = Behaviour(
        failure_mode="timeout", failure_count=1, failing_operations=["book"], hang_seconds=1
    )
    replayed = carrier.state.replayed

    with pytest.raises(CarrierUnavailable):
        await make_calls(CarrierCalls(watched), sessions, shipment)
    after_loss = await stored(sessions, shipment.id)
    await make_calls(CarrierCalls(watched), sessions, shipment)  # the record, redelivered

    assert after_loss == ("packed", [("book", "pending", 1)])
    status, calls = await stored(sessions, shipment.id)
    assert status == "shipped"
    assert calls[0] == ("book", "done", 2)
    assert parcels_of(carrier, shipment) == ["in_transit"]  # booked once: the key was the same
    assert carrier.state.replayed == replayed + 1


async def test_a_crash_between_a_call_and_its_mark_calls_again_with_the_same_key(
    sessions: Sessions, carrier: FakeCarrier
) -> None:
    shipment = await packed_shipment(sessions)
    watched = WatchedCarrier(sessions, carrier.url)
    async with sessions() as session:
        (book,) = await fulfillment.carrier_calls_to_make(session, shipment.id)
    await perform(watched, book)  # the call was made; the process died before its mark
    replayed = carrier.state.replayed

    await make_calls(CarrierCalls(watched), sessions, shipment)  # a new process

    status, _ = await stored(sessions, shipment.id)
    assert status == "shipped"
    assert parcels_of(carrier, shipment) == ["in_transit"]
    assert carrier.state.replayed == replayed + 1


async def test_a_mark_the_database_refuses_is_retried_and_the_call_is_made_once(
    sessions: Sessions, impatient: Sessions, carrier: FakeCarrier
) -> None:
    shipment = await packed_shipment(sessions)
    watched = WatchedCarrier(sessions, carrier.url)
    booked = carrier.state.calls.get("book", 0)
    retried = counted("orderflow_carrier_call_marks_retried_total")

    async with _held(sessions, f"book:{shipment.id}", seconds=1.0):
        await make_calls(CarrierCalls(watched, mark_patience_seconds=10), impatient, shipment)

    status, calls = await stored(sessions, shipment.id)
    assert status == "shipped"
    assert calls[0] == ("book", "done", 1)
    assert carrier.state.calls["book"] == booked + 1
    assert counted("orderflow_carrier_call_marks_retried_total") > retried


async def test_a_mark_failing_longer_than_its_patience_is_all_the_next_run_does(
    sessions: Sessions, impatient: Sessions, carrier: FakeCarrier
) -> None:
    shipment = await packed_shipment(sessions)
    watched = WatchedCarrier(sessions, carrier.url)
    calls = CarrierCalls(watched, mark_patience_seconds=0.3)  # one process: its ledger stays
    booked = carrier.state.calls.get("book", 0)
    spared = counted("orderflow_carrier_calls_spared_total", operation="book")

    async with _held(sessions, f"book:{shipment.id}", seconds=1.0):
        with pytest.raises(DBAPIError):  # the runtime waits for the database and runs it again
            await make_calls(calls, impatient, shipment)
    await make_calls(calls, impatient, shipment)

    status, stored_calls = await stored(sessions, shipment.id)
    assert status == "shipped"
    assert stored_calls[0] == ("book", "done", 1)
    assert carrier.state.calls["book"] == booked + 1  # not called again: only marked
    assert counted("orderflow_carrier_calls_spared_total", operation="book") == spared + 1


@contextlib.asynccontextmanager
async def _held(sessions: Sessions, key: str, *, seconds: float) -> AsyncIterator[None]:
    """Hold the call's row lock for ``seconds`` in another transaction, in the background."""
    locked = asyncio.Event()

    async def hold() -> None:
        async with sessions.begin() as session:
            await session.execute(text(LOCK_CALL), {"key": key})
            locked.set()
            await asyncio.sleep(seconds)

    holder = asyncio.create_task(hold())
    await locked.wait()
    try:
        yield
    finally:
        await holder
