"""The order state machine: legal paths move and record one event each; the rest is refused."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable

import pytest

from domains.orders import events as ev
from domains.orders.api import TRANSITIONS, Order, OrderLine, OrderStatus
from domains.shared import Conflict

S = OrderStatus
SHIPMENT = uuid.uuid4()
MOVES: dict[OrderStatus, Callable[[Order], None]] = {
    S.PAYMENT_PENDING: lambda o: o.await_payment(),
    S.CONFIRMED: lambda o: o.confirm("auth_1"),
    S.CANCELLED: lambda o: o.cancel("customer_request"),
    S.REFUNDED: lambda o: o.refund(2500, "damaged"),
    S.FULFILLING: lambda o: o.start_fulfilling(SHIPMENT),
    S.SHIPPED: lambda o: o.ship(SHIPMENT),
    S.DELIVERED: lambda o: o.deliver(SHIPMENT),
}


def _order_in(status: OrderStatus) -> Order:
    order = Order.place(uuid.uuid4(), "EUR", (OrderLine("SKU-1", 2, 1250),))
    order.status = status
    order.events.clear()
    return order


def test_the_happy_path_runs_to_delivered_one_version_and_event_per_step() -> None:
    order = Order.place(uuid.uuid4(), "EUR", (OrderLine("SKU-1", 2, 1250),))

    order.confirm("auth_1")
    order.start_fulfilling(SHIPMENT)
    order.ship(SHIPMENT)
    order.deliver(SHIPMENT)

    assert order.status is S.DELIVERED
    assert order.version == 5
    assert [type(e) for e in order.events] == [
        ev.OrderPlaced,
        ev.OrderConfirmed,
        ev.OrderFulfilling,
        ev.OrderShipped,
        ev.OrderDelivered,
    ]
    assert [e.version for e in order.events] == [1, 2, 3, 4, 5]  # type: ignore[attr-defined]


LEGAL = [(a, b) for a, targets in TRANSITIONS.items() for b in targets]
ILLEGAL = [
    (a, b)
    for a, b in itertools.product(S, MOVES)
    if b not in TRANSITIONS[a]  # every status, every target it may not reach
]


@pytest.mark.parametrize(("source", "target"), LEGAL)
def test_every_legal_transition_moves_and_records_an_event(
    source: OrderStatus, target: OrderStatus
) -> None:
    order = _order_in(source)

    MOVES[target](order)

    assert order.status is target
    assert order.version == 2
    assert len(order.events) == 1


@pytest.mark.parametrize(("source", "target"), ILLEGAL)
def test_every_illegal_transition_is_a_conflict_and_changes_nothing(
    source: OrderStatus, target: OrderStatus
) -> None:
    order = _order_in(source)

    with pytest.raises(Conflict) as refused:
        MOVES[target](order)

    assert refused.value.code == "illegal_transition"
    assert (order.status, order.version, order.events) == (source, 1, [])


def test_a_shipped_order_cannot_be_cancelled_only_refunded() -> None:
    assert S.CANCELLED not in TRANSITIONS[S.SHIPPED]
    assert S.REFUNDED in TRANSITIONS[S.SHIPPED]


def test_cancelling_a_paid_order_says_so_in_the_event() -> None:
    order = _order_in(S.CONFIRMED)

    order.cancel("customer_request")

    (event,) = order.events
    assert isinstance(event, ev.OrderCancelled)
    assert event.was_paid is True
