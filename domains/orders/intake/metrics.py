"""Prometheus metrics of order intake."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

SUBMISSIONS = Counter(
    "orderflow_intake_submissions_total",
    "Upstream submissions decided, by door, outcome and rejection reason ('' when accepted)",
    ["channel", "outcome", "reason"],
)
REPEATS = Counter(
    "orderflow_intake_repeats_total",
    "Submissions answered from an earlier one (a retry), by door",
    ["channel"],
)
SUBMIT_SECONDS = Histogram(
    "orderflow_intake_submit_seconds",
    "Time to decide one submission (the place-order command), by door",
    ["channel"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
CANCELLED = Counter(
    "orderflow_intake_cancelled_orders_total",
    "Submitted orders cancelled after they were accepted, by who refunds (upstream: paid "
    "upstream, none: unpaid)",
    ["refund"],
)
