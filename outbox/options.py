"""The relay's tuning knobs (the composition root fills them from the settings)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class RelayOptions:
    """How the relay publishes, backs off and cleans up.

    Attributes:
        max_record_bytes: records above this size are parked before sending; keep it at or
            below the broker's ``message.max.bytes`` and the producer's ``max_request_size``.
        pipeline_depth: claimed batches in flight at once (claiming overlaps broker acks).
        settle_concurrency: acknowledged batches marked published at once, each in its own
            transaction (marking costs PostgreSQL about what claiming and sending cost us).
        lane_refresh_seconds: how often lane ownership is rebalanced.
        max_backoff_seconds: cap of the exponential backoff on Kafka or PostgreSQL errors.
        retention: how long published rows are kept for ``orderflow outbox republish``.
        cleanup_interval_seconds: pause between retention passes.
        cleanup_batch_size: rows deleted per statement (keeps transactions short).
        gauge_interval_seconds: how often depth, age and parked gauges are refreshed.
    """

    max_record_bytes: int = 1_000_000
    pipeline_depth: int = 2
    settle_concurrency: int = 2
    lane_refresh_seconds: float = 1.0
    max_backoff_seconds: float = 10.0
    retention: timedelta = timedelta(hours=24)
    cleanup_interval_seconds: float = 60.0
    cleanup_batch_size: int = 5_000
    gauge_interval_seconds: float = 5.0
