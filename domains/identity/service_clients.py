"""Service clients: the upstream services (a marketplace connector, a point-of-sale) that call
orderflow as themselves, not as a person.

A client has an id, a unique name and the scopes it was granted; its secret is stored only as a
hash. Routes for services check scopes, never roles: a person's token is not a client.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

ORDERS_WRITE = "orders:write"  # submit orders (HTTP or the Kafka intake topic)
ORDERS_READ = "orders:read"  # read one's own submissions
ORDERS_PRICE = "orders:price"  # submit lines at one's own price instead of the catalog's
SCOPES = frozenset({ORDERS_WRITE, ORDERS_READ, ORDERS_PRICE})


@dataclass(frozen=True)
class ServiceClient:
    """An authenticated upstream service and the scopes it may use."""

    client_id: uuid.UUID
    name: str
    scopes: frozenset[str]

    def may(self, scope: str) -> bool:
        """Whether the client was granted ``scope``."""
        return scope in self.scopes
