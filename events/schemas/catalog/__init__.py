"""Events of the catalog domain.

Topics: ``catalog.product.v1`` (key ``product_id``: created, updated, price changed),
``catalog.stock.v1`` (key ``product_id``: stock adjusted by an admin) and
``catalog.reservation.v1`` (key ``reservation_id``: reserved, released, committed).
"""

from events.schemas.catalog.product import PriceChanged, ProductCreated, ProductUpdated
from events.schemas.catalog.reservation import (
    InventoryCommitted,
    InventoryReleased,
    InventoryReserved,
    ReservedItem,
)
from events.schemas.catalog.stock import StockAdjusted

__all__ = [
    "InventoryCommitted",
    "InventoryReleased",
    "InventoryReserved",
    "PriceChanged",
    "ProductCreated",
    "ProductUpdated",
    "ReservedItem",
    "StockAdjusted",
]
