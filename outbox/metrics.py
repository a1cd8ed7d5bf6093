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
# Fine below 10 ms, where the latency aims live (a lone commit acknowledged in ~2 ms).
LATENCY_BUCKETS = (
    0.0005,
    0.001,
    0.0015,
    0.002,
    0.003,
    0.004,
    0.005,
    0.0075,
    0.01,
    0.015,
    0.02,
    0.025,
    0.035,
    0.05,
    0.075,
    0.1,
    0.25,
    0.5,
    1,
    2.5,
    5,
    10,
    30,
)
COMMIT_TO_ACK = Histogram(
    "orderflow_outbox_commit_to_ack_seconds",
    "Time from the outbox insert to the broker acknowledgement, per row",
    buckets=LATENCY_BUCKETS,
)
# The relay's pipeline, stage by stage, per claimed batch: claim -> send -> ack -> mark.
CLAIM_SECONDS = Histogram(
    "orderflow_outbox_claim_seconds",
    "Claiming a batch: the claim statement and decoding its rows",
    buckets=LATENCY_BUCKETS,
)
SEND_SECONDS = Histogram(
    "orderflow_outbox_send_seconds",
    "Sending a claimed batch: packing record batches and handing them to the producer",
    buckets=LATENCY_BUCKETS,
)
ACK_SECONDS = Histogram(
    "orderflow_outbox_ack_seconds",
    "From handing a batch to the producer to the broker's last acknowledgement",
    buckets=LATENCY_BUCKETS,
)
MARK_SECONDS = Histogram(
    "orderflow_outbox_mark_seconds",
    "From a batch's last acknowledgement to its rows marked published (or parked)",
    buckets=LATENCY_BUCKETS,
)
DEPTH = Gauge("orderflow_outbox_depth", "Unpublished, unparked outbox rows (whole table)")
OLDEST_AGE = Gauge(
    "orderflow_outbox_oldest_unpublished_age_seconds", "Age of the oldest unpublished row"
)
LANES_HELD = Gauge("orderflow_outbox_lanes_held", "Outbox lanes this relay process holds")
PARKED_ROWS = Gauge("orderflow_outbox_parked_rows", "Parked rows waiting for an operator")
HELD = Counter(
    "orderflow_outbox_held_total",
    "Rows held back in a batch because an earlier row of their key was parked",
)
TOPIC_MISSING = Counter(
    "orderflow_outbox_topic_missing_total",
    "Rows left pending because the broker had no partitions for their topic (counted per try)",
    ["topic"],
)
TOPICS_WAITING = Gauge(
    "orderflow_outbox_topics_waiting",
    "Topics the broker lacked whose rows this relay leaves out of its claims for now",
)
