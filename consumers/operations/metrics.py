"""Prometheus metrics of the dead-letter tooling."""

from prometheus_client import Counter

REPLAYED = Counter(
    "orderflow_dlq_replayed_total", "Dead letters republished by a replay job", ["group"]
)
REFUSED = Counter(
    "orderflow_dlq_refused_total",
    "Dead letters a replay refused because the loop guard limit was reached",
    ["group"],
)
PURGED = Counter("orderflow_dlq_purged_total", "Dead letters marked resolved by a purge", ["group"])
EXPORTED = Counter(
    "orderflow_dlq_exported_total", "Dead letters written to a JSONL export", ["group"]
)
