"""A parcel the carrier does not know is asked about again later and later, up to a cap."""

from __future__ import annotations

import uuid

import pytest

from domains.fulfillment.api import TrackedShipment, UnknownParcel, UnknownParcelBackoff

BACKOFF = UnknownParcelBackoff(initial_seconds=60, max_seconds=3600)


@pytest.mark.parametrize(
    ("answers", "seconds"),
    [(1, 60), (2, 120), (3, 240), (6, 1920), (7, 3600), (8, 3600), (10_000, 3600)],
)
def test_the_wait_doubles_with_each_unknown_answer_in_a_row_up_to_the_cap(
    answers: int, seconds: float
) -> None:
    assert BACKOFF.delay_seconds(answers) == seconds


def test_a_parcel_the_carrier_knows_is_asked_about_at_the_next_pass() -> None:
    assert BACKOFF.delay_seconds(0) == 0


def test_one_more_unknown_answer_counts_on_from_the_stored_ones() -> None:
    shipment = TrackedShipment(uuid.uuid4(), uuid.uuid4(), unknown_answers=2)

    parcel = UnknownParcel.after(shipment, BACKOFF)

    assert (parcel.unknown_answers, parcel.wait_seconds) == (3, 240)
    assert parcel.shipment is shipment


def test_a_first_unknown_answer_waits_the_initial_time() -> None:
    shipment = TrackedShipment(uuid.uuid4(), uuid.uuid4(), unknown_answers=0)

    assert UnknownParcel.after(shipment, BACKOFF).wait_seconds == 60
