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
Move = Callable[[Order], None]
MOVES: dict[OrderStatus, Move] = {
    S.PAYMENT_PENDING: lambda o: o.await_payment(),
    S.CONFIRMED: lambda o: o.confirm("auth_1"),
    S.CANCELLATION_REQUESTED: lambda o: o.request_cancellation("customer_request"),
    S.CANCELLED: lambda o: o.cancel("customer_request"),
    S.REFUNDED: lambda o: o.refund(2500, "damaged"),
    S.FULFILLING: lambda o: o.start_fulfilling(SHIPMENT),
    S.SHIPPED: lambda o: o.ship(SHIPMENT),
    S.DELIVERED: lambda o: o.deliver(SHIPMENT),
}
REJECT: Move = lambda o: o.reject_cancellation("already_shipped")  # noqa: E731
# The one step whose target another step reaches too: a rejected cancellation resumes
# fulfillment; fulfillment itself starts only from confirmed.
MOVE_FROM: dict[tuple[OrderStatus, OrderStatus], Move] = {
    (S.CANCELLATION_REQUESTED, S.FULFILLING): REJECT,
}


def _move(source: OrderStatus, target: OrderStatus) -> Move:
    return MOVE_FROM.get((source, target), MOVES[target])


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


# In the enum's order, not a set's (which changes with the hash seed): every process of a
# parallel run must collect the same tests.
LEGAL = [(a, b) for a, targets in TRANSITIONS.items() for b in S if b in targets]
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

    _move(source, target)(order)

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


@pytest.mark.parametrize(
    ("source", "move"),
    [(S.CANCELLATION_REQUESTED, MOVES[S.FULFILLING])]
    + [(s, REJECT) for s in S if s is not S.CANCELLATION_REQUESTED],
)
def test_fulfilling_is_reached_by_starting_from_confirmed_or_by_a_rejection_only(
    source: OrderStatus, move: Move
) -> None:
    order = _order_in(source)

    with pytest.raises(Conflict) as refused:
        move(order)

    assert refused.value.code == "illegal_transition"
    assert order.status is source


def test_a_shipped_order_cannot_be_cancelled_only_refunded() -> None:
    assert S.CANCELLED not in TRANSITIONS[S.SHIPPED]
    assert S.REFUNDED in TRANSITIONS[S.SHIPPED]


def test_a_paid_order_is_cancelled_only_through_a_request_that_says_so_in_the_event() -> None:
    order = _order_in(S.CONFIRMED)

    with pytest.raises(Conflict):
        order.cancel("customer_request")
    order.request_cancellation("customer_request")
    order.cancel("customer_request")

    requested, cancelled = order.events
    assert isinstance(requested, ev.OrderCancellationRequested)
    assert isinstance(cancelled, ev.OrderCancelled)
    assert cancelled.was_paid is True


def test_an_admin_refund_is_only_for_orders_that_shipped() -> None:
    refundable = {status for status in S if S.REFUNDED in TRANSITIONS[status]}
    assert refundable == {S.SHIPPED, S.DELIVERED}
