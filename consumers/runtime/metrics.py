"""Prometheus metrics of the consumer runtime."""

from functools import lru_cache

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
RETRIED = Counter(
    "orderflow_consumer_retried_total",
    "Records sent to a delayed retry tier",
    ["group", "tier"],
)
DEAD_LETTERED = Counter(
    "orderflow_consumer_dead_lettered_total",
    "Records sent to the dead-letter topic",
    ["group", "reason"],
)
HANDLER_SECONDS = Histogram(
    "orderflow_consumer_handler_seconds",
    "Time one handler call takes inside the batch transaction",
    ["group"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
LAG = Gauge(
    "orderflow_consumer_lag",
    "Records behind the partition end (highwater minus next offset to handle)",
    ["group", "topic", "partition"],
)
LAST_ERROR = Gauge(
    "orderflow_consumer_last_error_timestamp_seconds",
    "Unix time of the last record that failed (retried or dead-lettered)",
    ["group"],
)
STALLS = Counter(
    "orderflow_consumer_stalled_batches_total",
    "Batches put back because the runtime itself failed unexpectedly (a bug: alert on it)",
    ["group"],
)
INFRASTRUCTURE_WAITS = Counter(
    "orderflow_consumer_infrastructure_waits_total",
    "Batch runs that failed on the database or the broker and will run again (not the "
    "records' fault: nothing is dead-lettered for it)",
    ["group", "cause"],
)
INFRASTRUCTURE_WAITING_SINCE = Gauge(
    "orderflow_consumer_infrastructure_waiting_since_seconds",
    "Unix time the oldest infrastructure wait in progress began; 0 when nothing waits",
    ["group"],
)
INFRASTRUCTURE_WAITING_PARTITIONS = Gauge(
    "orderflow_consumer_infrastructure_waiting_partitions",
    "Partitions whose batch waits for the database or the broker",
    ["group"],
)
REVOCATIONS = Counter(
    "orderflow_consumer_partitions_revoked_total",
    "Rebalances that took this member's partitions (the batches in flight end and commit first)",
    ["group"],
)
REVOCATION_SECONDS = Histogram(
    "orderflow_consumer_revocation_seconds",
    "Time from a revocation's start to its end: the whole group waits for it",
    ["group"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
STALE_BATCHES = Counter(
    "orderflow_consumer_stale_batches_total",
    "Batches that ended after their partitions were revoked: neither committed nor held "
    "(the next owner reads them again)",
    ["group"],
)
QUARANTINED = Counter(
    "orderflow_consumer_quarantined_total",
    "Records kept in messaging.quarantine because not even their dead letter could be written",
    ["group", "reason"],
)
QUARANTINE_UNRESOLVED = Gauge(
    "orderflow_consumer_quarantine_unresolved",
    "Quarantined records of the group not yet replayed or purged (alert when above 0)",
    ["group"],
)


@lru_cache(maxsize=64)
def handler_seconds(group: str) -> Histogram:
    """The latency histogram child of ``group`` (resolved once: it is observed per record)."""
    return HANDLER_SECONDS.labels(group)
