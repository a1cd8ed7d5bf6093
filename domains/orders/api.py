"""The one import surface of the orders domain."""

from domains.orders.handlers import PlaceOrder, get_order, place_order
from domains.orders.http import build_router
from domains.orders.model import Order, OrderLine, OrderStatus
from domains.orders.tables import metadata
from domains.orders.unit_of_work import OrdersUnitOfWork

__all__ = [
    "Order",
    "OrderLine",
    "OrderStatus",
    "OrdersUnitOfWork",
    "PlaceOrder",
    "build_router",
    "get_order",
    "metadata",
    "place_order",
]
