"""When an order's products count as bought together (pure: no database)."""

from __future__ import annotations

import pytest

from consumers.recommendations import MAX_PAIRED_SKUS, recommendation_topics, should_count

pytestmark = pytest.mark.unit

TWO = ["A", "B"]


@pytest.mark.parametrize(
    ("skus", "confirmed", "withdrawn", "counted"),
    [
        (TWO, True, False, True),
        (TWO, False, False, False),  # not paid (yet)
        (TWO, True, True, False),  # cancelled or refunded: taken back
        (TWO, False, True, False),  # withdrawn before it was confirmed: never counted
        (None, True, False, False),  # its lines are not known yet
        (["A"], True, False, False),  # one product is bought with nothing
        ([f"S{i}" for i in range(MAX_PAIRED_SKUS)], True, False, True),
        ([f"S{i}" for i in range(MAX_PAIRED_SKUS + 1)], True, False, False),  # a bulk order
    ],
)
def test_an_order_counts_once_confirmed_until_withdrawn(
    skus: list[str] | None, confirmed: bool, withdrawn: bool, counted: bool
) -> None:
    assert should_count(skus, confirmed, withdrawn) is counted


def test_the_group_reads_the_orders_topic_only() -> None:
    assert recommendation_topics() == ("orders.order.v1",)
