"""Delivery tracking on PostgreSQL against the fake carrier: parcels are asked about round
robin, so parcels that never change cannot starve a new one, and a parcel the carrier does not
know is asked about later and later and shown to operators."""

from __future__ import annotations

import asyncio
import json
import math
import uuid
from collections.abc import AsyncIterator, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from structlog.testing import capture_logs
from typer.testing import CliRunner

from consumers.fulfillment import (
    CarrierConfig,
    CarrierUnavailable,
    HttpCarrier,
    Parcel,
    TrackingPolicy,
)
from consumers.fulfillment import track_deliveries as one_pass
from devtools.fakes.carrier import Behaviour, CarrierState, create_carrier_app
from domains.fulfillment.api import (
    Shipment,
    ShipmentStatus,
    UnknownParcelBackoff,
    advance_shipment,
    create_shipment,
)
from domains.fulfillment.tables import shipments
from orderflow.cli import fulfillment
from orderflow.settings import Settings
from tests.support.polling import eventually
from tests.support.processes import serving

Sessions = async_sessionmaker[AsyncSession]
S = ShipmentStatus
BATCH = 10


@dataclass
class AskedCarrier:
    """The HTTP carrier adapter, noting which parcels tracking asked about, in order."""

    url: str
    asked: list[uuid.UUID] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._http = HttpCarrier(CarrierConfig(base_url=self.url, timeout_seconds=5))

    async def book(self, shipment_id: uuid.UUID, order_id: uuid.UUID, *, key: str) -> Parcel:
        """Book."""
        return await self._http.book(shipment_id, order_id, key=key)

    async def hand_over(self, shipment_id: uuid.UUID, *, key: str) -> Parcel:
        """Hand over."""
        return await self._http.hand_over(shipment_id, key=key)

    async def void(self, shipment_id: uuid.UUID, *, key: str) -> bool:
        """Void."""
        return await self._http.void(shipment_id, key=key)

    async def track(self, shipment_id: uuid.UUID) -> Parcel | None:
        """Track, noted."""
        self.asked.append(shipment_id)
        return await self._http.track(shipment_id)


@pytest.fixture
async def carrier() -> AsyncIterator[tuple[CarrierState, AskedCarrier]]:
    """A fake carrier of this test alone (it knows none of the other tests' parcels)."""
    state = CarrierState(behaviour=Behaviour(deliver_after_seconds=0))
    async with serving(create_carrier_app(state)) as url:
        yield state, AskedCarrier(url)


async def _shipped(sessions: Sessions) -> Shipment:
    async with sessions.begin() as session:
        shipment = await create_shipment(session, uuid.uuid4())
        for step in (S.PICKED, S.PACKED, S.SHIPPED):
            shipment = await advance_shipment(session, shipment.id, step)
    return shipment


async def _lost_parcel_alone(sessions: Sessions, asked: AskedCarrier) -> Shipment:
    """A shipped parcel never booked at this carrier (it answers 404), the only one due: the
    parcels other tests left here are unknown to this carrier too, so they are put aside for an
    hour first, and the passes that follow ask about the new one alone (and quickly)."""
    aside = UnknownParcelBackoff(initial_seconds=3600, max_seconds=3600)
    await one_pass(sessions, asked, policy=TrackingPolicy(10_000, 32, aside))
    return await _shipped(sessions)


def _booked(state: CarrierState, shipment: Shipment, *, handed_over: bool = False) -> None:
    state.book(str(shipment.id), str(shipment.order_id))
    if handed_over:
        state.hand_over(str(shipment.id))


async def _status(sessions: Sessions, shipment_id: uuid.UUID) -> str:
    async with sessions() as session:
        found = await session.scalar(
            select(shipments.c.status).where(shipments.c.id == shipment_id)
        )
    return str(found)


async def _due(sessions: Sessions) -> int:
    """Shipped parcels tracking would ask about now (other tests leave some in this database)."""
    due = (shipments.c.next_track_at.is_(None)) | (shipments.c.next_track_at <= func.now())
    async with sessions() as session:
        query = select(func.count()).where(shipments.c.status == S.SHIPPED.value, due)
        return int(await session.scalar(query) or 0)


async def test_a_new_parcel_is_asked_about_before_any_parcel_is_asked_about_twice(
    sessions: Sessions, carrier: tuple[CarrierState, AskedCarrier]
) -> None:
    state, asked = carrier
    # Parcels that never change: the carrier does not know these, and has these booked but
    # never handed over (in transit for ever). Each changed before the new one, so ordering
    # by the last change would put them all ahead of it at every pass.
    for _ in range(2 * BATCH):
        await _shipped(sessions)
    for _ in range(2 * BATCH):
        _booked(state, await _shipped(sessions))
    new = await _shipped(sessions)
    _booked(state, new, handed_over=True)  # delivered at once
    due, policy = await _due(sessions), TrackingPolicy(batch=BATCH, concurrency=3)

    passes = 0
    while await _status(sessions, new.id) != S.DELIVERED.value:
        assert passes < math.ceil(due / BATCH), f"not delivered after {passes} passes"
        await one_pass(sessions, asked, policy=policy)
        passes += 1

    said = asked.asked
    first_repeat = next((i for i, s in enumerate(said) if s in said[:i]), len(said))
    assert new.id in said[:first_repeat]  # round robin: nobody asked twice before it


async def test_a_parcel_the_carrier_does_not_know_is_asked_about_later_and_later(
    sessions: Sessions, carrier: tuple[CarrierState, AskedCarrier]
) -> None:
    state, asked = carrier
    lost = await _lost_parcel_alone(sessions, asked)
    backoff = UnknownParcelBackoff(initial_seconds=0.5, max_seconds=10)
    policy = TrackingPolicy(batch=10, unknown_backoff=backoff)

    with capture_logs() as logs:
        await one_pass(sessions, asked, policy=policy)
    first = _unknown_lines(logs, lost)
    asked.asked.clear()
    await one_pass(sessions, asked, policy=policy)
    asked_again_at_once = lost.id in asked.asked
    await asyncio.sleep(0.6)
    with capture_logs() as logs:
        await one_pass(sessions, asked, policy=policy)
    second = _unknown_lines(logs, lost)
    unknown_while_lost = _gauge()
    _booked(state, lost)  # the carrier found it: booked, on its way
    await asyncio.sleep(1.1)
    await one_pass(sessions, asked, policy=policy)
    unknown_once_found = _gauge()
    asked.asked.clear()
    await one_pass(sessions, asked, policy=policy)

    assert [(line["unknown_answers"], line["next_question_in_seconds"]) for line in first] == [
        (1, 0.5)
    ]
    assert first[0]["order_id"] == str(lost.order_id)
    assert first[0]["log_level"] == "warning"
    assert not asked_again_at_once
    assert [(line["unknown_answers"], line["next_question_in_seconds"]) for line in second] == [
        (2, 1.0)
    ]
    assert unknown_once_found == unknown_while_lost - 1
    assert lost.id in asked.asked  # known again: asked about at every pass


def _unknown_lines(
    logs: Sequence[MutableMapping[str, Any]], shipment: Shipment
) -> list[MutableMapping[str, Any]]:
    return [
        line
        for line in logs
        if line["event"] == "parcel_unknown_to_carrier" and line["shipment_id"] == str(shipment.id)
    ]


def _gauge() -> float:
    return REGISTRY.get_sample_value("orderflow_fulfillment_parcels_unknown") or 0.0


async def test_a_pass_the_carrier_answers_nothing_of_fails_and_one_answer_is_enough(
    sessions: Sessions, carrier: tuple[CarrierState, AskedCarrier]
) -> None:
    state, asked = carrier
    for _ in range(2):
        await _shipped(sessions)
    state.behaviour = Behaviour(failure_mode="error", failing_operations=["track"])
    with pytest.raises(CarrierUnavailable, match="the carrier answered none of"):
        await one_pass(sessions, asked, policy=TrackingPolicy(batch=2))
    state.behaviour = Behaviour(failure_mode="error", failure_count=1, failing_operations=["track"])

    report = await one_pass(sessions, asked, policy=TrackingPolicy(batch=2, concurrency=1))

    assert (report.asked, report.unanswered) == (2, 1)


async def test_a_pass_asks_nothing_more_once_the_job_is_told_to_stop(
    sessions: Sessions, carrier: tuple[CarrierState, AskedCarrier]
) -> None:
    state, asked = carrier
    for _ in range(6):
        await _shipped(sessions)
    state.behaviour = Behaviour(latency_ms=400)
    stop = asyncio.Event()

    async def stop_once_asking() -> None:
        await eventually(lambda: asyncio.sleep(0, bool(asked.asked)), 10, "a question", every=0.01)
        stop.set()

    stopping = asyncio.create_task(stop_once_asking())
    report = await one_pass(sessions, asked, policy=TrackingPolicy(6, 1), stop=stop)
    await stopping

    assert report.asked == len(asked.asked) == 1  # the one under way when told; none after


async def test_operators_list_the_parcels_the_carrier_does_not_know(
    sessions: Sessions,
    carrier: tuple[CarrierState, AskedCarrier],
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
) -> None:
    _, asked = carrier
    lost = await _lost_parcel_alone(sessions, asked)
    backoff = UnknownParcelBackoff(initial_seconds=0, max_seconds=0)
    for _ in range(3):
        await one_pass(sessions, asked, policy=TrackingPolicy(10, 4, backoff))
    monkeypatch.setattr("orderflow.settings.get_settings", lambda: settings)

    # The command runs its own event loop: give it a thread of its own.
    listing = await asyncio.to_thread(
        CliRunner().invoke, fulfillment.app, ["unknown-parcels", "--json", "--limit", "10000"]
    )
    table = await asyncio.to_thread(CliRunner().invoke, fulfillment.app, ["unknown-parcels"])

    assert listing.exit_code == 0, listing.output
    (mine,) = [p for p in json.loads(listing.stdout) if p["shipment_id"] == str(lost.id)]
    assert mine["order_id"] == str(lost.order_id)
    assert mine["unknown_answers"] == 3
    assert mine["last_asked_at"] is not None
    assert table.exit_code == 0, table.output
    assert "shipment" in table.stdout.splitlines()[0]
