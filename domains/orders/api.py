"""The one import surface of the orders domain."""

from domains.orders.cancellation import cancel_order, refund_order
from domains.orders.checkout import Checkout, CheckoutResult, CheckoutService
from domains.orders.fulfillment_progress import FULFILLMENT_PATH, follow_shipment
from domains.orders.handlers import PlaceOrder, get_order, place_order
from domains.orders.http import build_router
from domains.orders.idempotency import request_hash
from domains.orders.lines import OrderLine
from domains.orders.model import TRANSITIONS, Order, OrderStatus
from domains.orders.reconciliation import ReconcileReport, reconcile_payments
from domains.orders.settlement import Settlement
from domains.orders.tables import metadata
from domains.orders.unit_of_work import OrdersUnitOfWork
from domains.orders.wiring import OrdersServices

__all__ = [
    "FULFILLMENT_PATH",
    "TRANSITIONS",
    "Checkout",
    "CheckoutResult",
    "CheckoutService",
    "Order",
    "OrderLine",
    "OrderStatus",
    "OrdersServices",
    "OrdersUnitOfWork",
    "PlaceOrder",
    "ReconcileReport",
    "Settlement",
    "build_router",
    "cancel_order",
    "follow_shipment",
    "get_order",
    "metadata",
    "place_order",
    "reconcile_payments",
    "refund_order",
    "request_hash",
]
