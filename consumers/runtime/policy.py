"""How hard the runtime tries: quick in-process attempts, then the delayed retry tiers."""

from __future__ import annotations

from dataclasses import dataclass

from consumers.runtime.topics import DEFAULT_TIER_DELAYS


@dataclass(frozen=True)
class RetryPolicy:
    """Retry settings of one consumer group.

    ``quick_attempts`` attempts run in process with an exponential backoff from
    ``quick_backoff_seconds`` up to ``quick_backoff_max_seconds`` (short: the partition waits);
    after that a transient failure goes to tier 1, and from tier ``n`` to ``n + 1``, each
    waiting ``tier_delays[n - 1]`` seconds without blocking anything else; after the last
    tier it is dead-lettered with reason ``retries_exhausted``.
    """

    tier_delays: tuple[float, ...] = DEFAULT_TIER_DELAYS
    quick_attempts: int = 3
    quick_backoff_seconds: float = 0.1
    quick_backoff_max_seconds: float = 1.0
    # Records per poll (all partitions), and how many may wait behind a partition's batch in
    # flight before that partition is no longer polled.
    batch_size: int = 1000
    # The most records one partition batch (one transaction) takes from what waits: records
    # that arrived during the previous transaction go into the next one together, so a busy
    # partition pays the round trips once per thousands of records rather than per poll.
    max_batch_records: int = 2000
    # A batch the database or the broker failed runs again after this much, doubling (with
    # jitter) up to the maximum, for as long as the outage lasts.
    stall_backoff_seconds: float = 1.0
    stall_backoff_max_seconds: float = 30.0
    # How long a revocation or a stop waits for a batch to reach its next record boundary
    # (where it commits what it applied) and for the last commits, before a batch still
    # running is cancelled uncommitted: the next owner reads it again. Both the group (which
    # waits for every member's revocation) and a deployment's stop timeout wait for this.
    stop_grace_seconds: float = 5.0
    # A quarantined record is kept whole up to this size (key, value and headers), else as a
    # prefix with its SHA-256 and size. Records come off a topic, so they are rarely larger
    # than the broker's message.max.bytes (1 MiB by default).
    quarantine_max_bytes: int = 8 * 1024 * 1024

    @property
    def tiers(self) -> int:
        """The number of retry tiers."""
        return len(self.tier_delays)
