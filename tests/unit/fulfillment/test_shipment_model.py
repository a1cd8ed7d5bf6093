"""The shipment state machine."""

from __future__ import annotations

import uuid

import pytest

from domains.fulfillment.api import Shipment, ShipmentStatus
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
