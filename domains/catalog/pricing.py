"""Quotes: what a list of (sku, quantity) costs right now. Plain Python."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domains.shared import InvalidInput, NotFound, is_currency

MAX_QUANTITY = 10_000


@dataclass(frozen=True)
class QuotedLine:
    """``quantity`` units of ``sku`` at the current ``unit_price_minor``."""

    sku: str
    quantity: int
    unit_price_minor: int

    @property
    def total_minor(self) -> int:
        """The line total in minor units."""
        return self.quantity * self.unit_price_minor


@dataclass(frozen=True)
class Quote:
    """The current price of a basket, one line per requested (sku, quantity) pair."""

    currency: str
    lines: tuple[QuotedLine, ...]
    total_minor: int


@dataclass(frozen=True)
class Price:
    """What the quote needs to know about one product."""

    price_minor: int
    currency: str
    active: bool


def check_quantity(sku: str, quantity: int) -> None:
    """Quantities are whole units between 1 and ``MAX_QUANTITY``."""
    if not 0 < quantity <= MAX_QUANTITY:
        raise InvalidInput(
            f"quantity of {sku} must be between 1 and {MAX_QUANTITY}", code="bad_quantity"
        )


def check_basket(items: Sequence[tuple[str, int]], currency: str) -> None:
    """A quote is in a known currency and has at least one item."""
    if not is_currency(currency):
        raise InvalidInput(f"{currency!r} is not an ISO 4217 currency", code="unknown_currency")
    if not items:
        raise InvalidInput("a quote needs at least one item", code="empty_quote")


def price_items(
    items: Sequence[tuple[str, int]], currency: str, prices: Mapping[str, Price]
) -> Quote:
    """Price every item in ``currency``; an unknown, inactive or foreign-priced SKU refuses."""
    check_basket(items, currency)
    lines = tuple(_price_line(sku, qty, currency, prices) for sku, qty in items)
    return Quote(currency, lines, sum(line.total_minor for line in lines))


def _price_line(sku: str, quantity: int, currency: str, prices: Mapping[str, Price]) -> QuotedLine:
    check_quantity(sku, quantity)
    price = prices.get(sku)
    if price is None:
        raise NotFound(f"there is no product with SKU {sku!r}", code="unknown_sku")
    if not price.active:
        raise InvalidInput(f"{sku} is not sold at the moment", code="sku_inactive")
    if price.currency != currency:
        raise InvalidInput(
            f"{sku} is priced in {price.currency}, not {currency}", code="currency_mismatch"
        )
    return QuotedLine(sku, quantity, price.price_minor)
