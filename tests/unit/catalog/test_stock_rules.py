"""Stock rules: no negative stock, merged reservations, one-way reservation life."""

from __future__ import annotations

import uuid

import pytest

from domains.catalog.stock import (
    Reservation,
    ReservationChanged,
    ReservationStatus,
    StockAdjusted,
    StockLevel,
    merge_items,
)
from domains.shared import Conflict, InvalidInput


def _stock(available: int = 5) -> StockLevel:
    return StockLevel(uuid.uuid4(), "MUG", available=available, reserved=0)


def test_items_are_merged_per_sku_and_sorted_so_locks_are_taken_in_one_order() -> None:
    assert merge_items([("TEA", 1), ("MUG", 2), ("TEA", 3)]) == (("MUG", 2), ("TEA", 4))


@pytest.mark.parametrize(
    ("items", "code"),
    [
        ([], "empty_reservation"),
        ([("MUG", 0)], "bad_quantity"),
        ([("MUG", -3)], "bad_quantity"),
        ([("MUG", 6_000), ("MUG", 6_000)], "bad_quantity"),
    ],
)
def test_bad_reservations_are_refused(items: list[tuple[str, int]], code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        merge_items(items)

    assert refused.value.code == code


def test_an_adjustment_changes_available_stock_and_records_it() -> None:
    stock = _stock(5)

    stock.adjust(-5, "breakage")

    assert (stock.available, stock.version) == (0, 2)
    (event,) = stock.events
    assert isinstance(event, StockAdjusted)
    assert (event.delta, event.stock.available, event.reason) == (-5, 0, "breakage")


def test_stock_never_goes_below_zero() -> None:
    stock = _stock(2)

    with pytest.raises(Conflict) as refused:
        stock.adjust(-3, "stock take")

    assert refused.value.code == "stock_below_zero"
    assert (stock.available, stock.events) == (2, [])


@pytest.mark.parametrize(("delta", "reason"), [(0, "nothing"), (1_000_001, "x"), (1, "  ")])
def test_empty_or_absurd_adjustments_are_refused(delta: int, reason: str) -> None:
    with pytest.raises(InvalidInput):
        _stock().adjust(delta, reason)


def test_a_reservation_is_released_once_and_then_stays_released() -> None:
    reservation = Reservation.reserve(uuid.uuid4(), (("MUG", 1),))

    assert reservation.release() is True
    assert reservation.release() is False
    assert reservation.status is ReservationStatus.RELEASED
    statuses = [e.status for e in reservation.events if isinstance(e, ReservationChanged)]
    assert statuses == [ReservationStatus.RESERVED, ReservationStatus.RELEASED]
    assert reservation.version == 2


def test_a_committed_reservation_cannot_be_released_and_vice_versa() -> None:
    committed = Reservation.reserve(uuid.uuid4(), (("MUG", 1),))
    released = Reservation.reserve(uuid.uuid4(), (("MUG", 1),))
    committed.commit()
    released.release()

    with pytest.raises(Conflict) as release_refused:
        committed.release()
    with pytest.raises(Conflict) as commit_refused:
        released.commit()

    assert release_refused.value.code == "reservation_committed"
    assert commit_refused.value.code == "reservation_released"
    assert committed.commit() is False


def test_a_returned_reservation_stays_returned() -> None:
    reservation = Reservation.reserve(uuid.uuid4(), (("MUG", 1),))
    reservation.commit()

    assert reservation.give_back() is True
    assert reservation.give_back() is False
    assert reservation.release() is False  # its stock is back already: never twice
    with pytest.raises(Conflict):
        reservation.commit()
    assert (reservation.status, reservation.version) == (ReservationStatus.RETURNED, 3)
