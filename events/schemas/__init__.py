"""Every integration event, per domain and version. Importing this package registers them.

How to add an event or a version: see ``events/schemas/README.md``.
"""

from events.schemas import catalog, fulfillment, identity, payments
from events.schemas.orders import OrderLine, OrderPlaced, OrderPlacedV1

__all__ = [
    "OrderLine",
    "OrderPlaced",
    "OrderPlacedV1",
    "catalog",
    "fulfillment",
    "identity",
    "payments",
]
