"""Prometheus metrics of the orders domain."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

CHECKOUT_SECONDS = Histogram(
    "orderflow_checkout_seconds",
    "POST /v1/checkout latency by outcome",
    ["outcome"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
RECONCILED = Counter(
    "orderflow_payments_reconciled_total",
    "Payment-pending orders settled by reconciliation, by result",
    ["result"],
)
CANCELLATIONS = Counter(
    "orderflow_order_cancellations_total",
    "Order cancellations by outcome: requested (paid, the saga starts), cancelled (unpaid, at "
    "once), completed (refunded after the shipment was cancelled), rejected (the parcel left "
    "first), too_late (refused: shipped)",
    ["outcome"],
)
