"""Upcasters: turn the JSON payload of version ``n`` into version ``n + 1``.

They mirror orderflow's own (``events/schemas``); orderflow's test suite checks that both give
the same result for every older version. A step without an upcaster is the identity, which
orderflow's compatibility gate makes safe (new versions only add optional fields).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]


def order_placed_v1_to_v2(payload: Payload) -> Payload:
    """v1 did not record the channel the order came through: it is unknown."""
    return {**payload, "channel": None}


UPCASTERS: dict[tuple[str, int], Upcaster] = {
    ("orders.OrderPlaced", 1): order_placed_v1_to_v2,
}
"""(event type, from version) → the upcaster to the next version."""
