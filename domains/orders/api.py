"""The one import surface of the orders domain."""

from domains.orders.cancellation import cancel_order, complete_cancellation
from domains.orders.checkout import Checkout
from domains.orders.fulfillment_progress import follow_shipment
from domains.orders.handlers import PlaceOrder, place_order
from domains.orders.http import build_router
from domains.orders.idempotency import request_hash
from domains.orders.intake.batch import IntakeBatch, deciding_together
from domains.orders.intake.command import (
    Channel,
    Outcome,
    SubmissionResult,
    SubmitOrder,
    SubmittedLine,
)
from domains.orders.intake.key_expiry import delete_expired_intake_keys
from domains.orders.intake.place import reject_unreadable, submit_in
from domains.orders.intake.reading import ClientIntake, intake_by_client
from domains.orders.key_retention import delete_expired_keys
from domains.orders.lines import OrderLine
from domains.orders.model import TRANSITIONS, Order, OrderStatus
from domains.orders.reconciliation import ReconcileReport, reconcile_payments
from domains.orders.tables import metadata
from domains.orders.unit_of_work import OrdersUnitOfWork
from domains.orders.wiring import OrdersServices

__all__ = [
    "TRANSITIONS",
    "Channel",
    "Checkout",
    "ClientIntake",
    "IntakeBatch",
    "Order",
    "OrderLine",
    "OrderStatus",
    "OrdersServices",
    "OrdersUnitOfWork",
    "Outcome",
    "PlaceOrder",
    "ReconcileReport",
    "SubmissionResult",
    "SubmitOrder",
    "SubmittedLine",
    "build_router",
    "cancel_order",
    "complete_cancellation",
    "deciding_together",
    "delete_expired_intake_keys",
    "delete_expired_keys",
    "follow_shipment",
    "intake_by_client",
    "metadata",
    "place_order",
    "reconcile_payments",
    "reject_unreadable",
    "request_hash",
    "submit_in",
]
