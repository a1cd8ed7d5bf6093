"""The order aggregate's rules, without I/O."""

from __future__ import annotations

import uuid

import pytest

from domains.orders.api import Order, OrderLine, OrderStatus
from domains.shared import InvalidInput

CUSTOMER = uuid.uuid4()


def test_placing_an_order_records_order_placed_with_version_one() -> None:
    lines = (OrderLine("SKU-1", 2, 1250), OrderLine("SKU-2", 1, 500))

    order = Order.place(CUSTOMER, "EUR", lines)

    assert order.status is OrderStatus.PENDING
    assert order.total_minor == 3000
    assert order.version == 1
    (event,) = order.events
    assert event.order_id == order.id  # type: ignore[attr-defined]
    assert event.version == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("currency", "lines", "code"),
    [
        ("XYZ", (OrderLine("A", 1, 1),), "unknown_currency"),
        ("EUR", (), "empty_order"),
        ("EUR", (OrderLine("A", 0, 1),), "bad_quantity"),
        ("EUR", (OrderLine("A", -3, 1),), "bad_quantity"),
        ("EUR", (OrderLine("A", 1, -1),), "bad_price"),
        ("EUR", tuple(OrderLine(f"S{i}", 1, 1) for i in range(101)), "too_many_lines"),
    ],
)
def test_an_order_breaking_a_rule_is_refused_with_a_code(
    currency: str, lines: tuple[OrderLine, ...], code: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        Order.place(CUSTOMER, currency, lines)

    assert refused.value.code == code
