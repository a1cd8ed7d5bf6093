"""The shipment state machine."""

from __future__ import annotations

import uuid

import pytest

from domains.fulfillment.api import TRANSITIONS, Shipment, ShipmentStatus
from domains.shared import Conflict

S = ShipmentStatus


def test_a_shipment_runs_created_picked_packed_shipped_delivered() -> None:
    shipment = Shipment.create(uuid.uuid4())

    for target in (S.PICKED, S.PACKED, S.SHIPPED, S.DELIVERED):
        shipment = shipment.advance(target, carrier="dhl", tracking="JD1")

    assert shipment.status is S.DELIVERED
    assert shipment.version == 5
    assert shipment.shipped_at is not None
    assert shipment.delivered_at is not None
    assert shipment.tracking_number == "JD1"


@pytest.mark.parametrize(
    ("steps", "target"),
    [
        ((), S.SHIPPED),
        ((S.PICKED, S.PACKED, S.SHIPPED), S.CANCELLED),
        ((S.CANCELLED,), S.PICKED),
        ((), S.DELIVERED),
    ],
)
def test_skipping_steps_or_leaving_an_end_state_is_refused(
    steps: tuple[ShipmentStatus, ...], target: ShipmentStatus
) -> None:
    shipment = Shipment.create(uuid.uuid4())
    for step in steps:
        shipment = shipment.advance(step)

    with pytest.raises(Conflict) as refused:
        shipment.advance(target)

    assert refused.value.code == "illegal_transition"


def test_a_cancellation_wins_until_the_parcel_ships_and_never_after() -> None:
    packed = Shipment.create(uuid.uuid4()).advance(S.PICKED).advance(S.PACKED)
    shipped = packed.advance(S.SHIPPED, carrier="dhl", tracking="JD1")

    assert packed.advance(S.CANCELLING).advance(S.CANCELLED).status is S.CANCELLED
    for target in (S.CANCELLING, S.CANCELLED):
        with pytest.raises(Conflict):
            shipped.advance(target)


def test_a_cancelling_shipment_ships_when_the_carrier_had_it_already() -> None:
    cancelling = Shipment.create(uuid.uuid4()).advance(S.CANCELLING)

    assert cancelling.advance(S.SHIPPED).status is S.SHIPPED
    with pytest.raises(Conflict):
        cancelling.advance(S.PICKED)


def test_a_label_changes_the_version_and_records_no_step() -> None:
    cancelling = Shipment.create(uuid.uuid4()).advance(S.CANCELLING)

    labelled = cancelling.labelled("dhl", "JD1")

    assert (labelled.status, labelled.version, labelled.tracking_number) == (
        S.CANCELLING,
        cancelling.version + 1,
        "JD1",
    )
    assert len(labelled.events) == len(cancelling.events)


def test_an_order_cancelled_before_fulfillment_gets_a_cancelled_stand_in() -> None:
    stand_in = Shipment.cancelled_before_start(uuid.uuid4())

    assert stand_in.status is S.CANCELLED
    assert TRANSITIONS[S.CANCELLED] == frozenset()
