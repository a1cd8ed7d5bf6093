"""Quotes price every item at the current price, or refuse with a specific code."""

from __future__ import annotations

import pytest

from domains.catalog.pricing import Price, QuotedLine, price_items
from domains.shared import DomainError, InvalidInput, NotFound

PRICES = {
    "MUG": Price(1299, "EUR", active=True),
    "TEA": Price(450, "EUR", active=True),
    "OLD": Price(100, "EUR", active=False),
    "USD-HAT": Price(2000, "USD", active=True),
}


def test_a_quote_has_one_line_per_item_and_the_exact_total() -> None:
    quote = price_items([("MUG", 2), ("TEA", 3)], "EUR", PRICES)

    assert quote.lines == (QuotedLine("MUG", 2, 1299), QuotedLine("TEA", 3, 450))
    assert quote.total_minor == 2 * 1299 + 3 * 450
    assert quote.currency == "EUR"


@pytest.mark.parametrize(
    ("items", "currency", "error", "code"),
    [
        ([("NOPE", 1)], "EUR", NotFound, "unknown_sku"),
        ([("OLD", 1)], "EUR", InvalidInput, "sku_inactive"),
        ([("USD-HAT", 1)], "EUR", InvalidInput, "currency_mismatch"),
        ([("MUG", 0)], "EUR", InvalidInput, "bad_quantity"),
        ([("MUG", -1)], "EUR", InvalidInput, "bad_quantity"),
        ([("MUG", 10_001)], "EUR", InvalidInput, "bad_quantity"),
        ([], "EUR", InvalidInput, "empty_quote"),
        ([("MUG", 1)], "XXX", InvalidInput, "unknown_currency"),
    ],
)
def test_a_quote_refuses_what_cannot_be_sold(
    items: list[tuple[str, int]], currency: str, error: type[DomainError], code: str
) -> None:
    with pytest.raises(error) as refused:
        price_items(items, currency, PRICES)

    assert refused.value.code == code


def test_one_bad_item_refuses_the_whole_quote() -> None:
    with pytest.raises(NotFound):
        price_items([("MUG", 1), ("NOPE", 1)], "EUR", PRICES)
