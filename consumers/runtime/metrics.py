"""Prometheus metrics of the consumer runtime."""

from prometheus_client import Counter, Gauge, Histogram

CONSUMED = Counter("orderflow_consumer_consumed_total", "Records received", ["group", "topic"])
HANDLED = Counter(
    "orderflow_consumer_handled_total", "Records handled and committed", ["group", "event_type"]
)
DUPLICATES = Counter(
    "orderflow_consumer_duplicates_skipped_total",
    "Records skipped because the inbox had their event id",
    ["group"],
)
DEAD_LETTERED = Counter(
    "orderflow_consumer_dead_lettered_total",
    "Records sent to the dead-letter topic",
    ["group", "reason"],
)
HANDLER_SECONDS = Histogram(
    "orderflow_consumer_handler_seconds",
    "Time to handle one record, inbox and transaction included",
    ["group"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
LAG = Gauge(
    "orderflow_consumer_lag", "Records behind the partition end", ["group", "topic", "partition"]
)
