"""Prometheus metrics of fulfillment's carrier calls and delivery tracking."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

CARRIER_CALLS = Counter(
    "orderflow_carrier_calls_total",
    "Calls made to the carrier, by operation and outcome (ok, already_shipped, unavailable, "
    "rejected; track: in_transit, delivered, unknown, unavailable)",
    ["operation", "outcome"],
)
CARRIER_CALL_SECONDS = Histogram(
    "orderflow_carrier_call_seconds",
    "Carrier call latency by operation",
    ["operation"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
CARRIER_CALLS_SPARED = Counter(
    "orderflow_carrier_calls_spared_total",
    "Calls not made again because this process had their answer and only the mark was missing",
    ["operation"],
)
CARRIER_MARKS_RETRIED = Counter(
    "orderflow_carrier_call_marks_retried_total",
    "Marks of carrier calls retried after a database failure or a concurrent shipment change",
)
PARCELS_UNKNOWN = Gauge(
    "orderflow_fulfillment_parcels_unknown",
    "Shipped parcels the carrier last answered it does not have (asked again later and later); "
    "the same whole-table figure from every tracker",
)
