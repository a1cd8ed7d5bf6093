"""Order lines: a value object the order aggregate and its domain events both hold.

Its own module so that ``model`` (which records events) and ``events`` (which carry lines)
import it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_LINES = 100


@dataclass(frozen=True)
class OrderLine:
    """``quantity`` units of ``sku`` at ``unit_price_minor`` each."""

    sku: str
    quantity: int
    unit_price_minor: int

    @property
    def total_minor(self) -> int:
        """The line total in minor units."""
        return self.quantity * self.unit_price_minor
