"""Prometheus metrics of the outbox relay."""

from prometheus_client import Counter, Gauge, Histogram

PUBLISHED = Counter(
    "orderflow_outbox_published_total", "Outbox rows acknowledged by Kafka", ["topic"]
)
PUBLISH_ERRORS = Counter(
    "orderflow_outbox_publish_errors_total", "Failed publish attempts", ["kind"]
)
PARKED = Counter(
    "orderflow_outbox_parked_total", "Rows parked after a permanent broker rejection", ["topic"]
)
BATCH_SIZE = Histogram(
    "orderflow_outbox_batch_size",
    "Rows per relayed batch",
    buckets=(1, 5, 10, 50, 100, 250, 500, 1000, 2000),
)
COMMIT_TO_ACK = Histogram(
    "orderflow_outbox_commit_to_ack_seconds",
    "Time from the outbox insert to the broker acknowledgement",
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
DEPTH = Gauge("orderflow_outbox_depth", "Unpublished, unparked outbox rows")
OLDEST_AGE = Gauge(
    "orderflow_outbox_oldest_unpublished_age_seconds", "Age of the oldest unpublished row"
)
LANES_HELD = Gauge("orderflow_outbox_lanes_held", "Outbox lanes this relay process holds")
