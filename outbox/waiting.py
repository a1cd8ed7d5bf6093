"""Topics the broker has no partitions for: their rows wait, every other row flows.

A topic can be missing from the broker for a while: deleted by hand, or an event type
deployed before its topic was created. Failing the whole batch for one such row, as any
other send error does, would claim the same oldest rows again and again and stall every
key of every topic behind it. Instead :func:`outbox.publish.send_batch` sends the rest of
the batch and leaves that topic's rows pending, and the relay leaves the topic out of its
claims for a while, backing off exponentially (``initial`` doubling up to ``cap`` seconds)
and asking the broker again each time, until the topic is there.

Order per key holds: an ordering key is (topic, key), so every row of a waiting topic waits,
and its oldest row is the first claimed once the topic is back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass

import structlog

from outbox import metrics

log = structlog.get_logger("orderflow.outbox.relay")

INITIAL_WAIT_SECONDS = 0.5


@dataclass
class _Wait:
    until: float
    seconds: float


class WaitingTopics:
    """The topics the relay leaves out of its claims for now, and until when."""

    def __init__(
        self,
        cap: float,
        initial: float = INITIAL_WAIT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._cap = cap
        self._initial = min(initial, cap)
        self._clock = clock
        self._waits: dict[str, _Wait] = {}

    def __bool__(self) -> bool:
        """Whether any topic waits (or waited and has not been seen since)."""
        return bool(self._waits)

    def excluded(self) -> list[str]:
        """The topics whose wait is not over: a claim leaves their rows out."""
        if not self._waits:
            return []
        now = self._clock()
        return sorted(topic for topic, wait in self._waits.items() if wait.until > now)

    def missing(self, topic: str, rows: int) -> float:
        """``topic`` had no partitions for ``rows`` rows: wait longer; returns the wait.

        Rows claimed before the wait began (a claim made ahead) do not lengthen it.
        """
        now, before = self._clock(), self._waits.get(topic)
        metrics.TOPIC_MISSING.labels(topic=topic).inc(rows)
        if before is not None and before.until > now:
            return before.until - now
        seconds = self._initial if before is None else min(self._cap, before.seconds * 2)
        self._waits[topic] = _Wait(now + seconds, seconds)
        metrics.TOPICS_WAITING.set(len(self._waits))
        log.warning(
            "outbox_topic_missing",
            topic=topic,
            rows_waiting=rows,
            retry_in_seconds=seconds,
            hint="the broker lacks this topic: a relay creates the deployment's topics when it "
            "starts (restart one) or create it by hand; its rows are published then",
        )
        return seconds

    def found(self, topics: Collection[str]) -> None:
        """The broker named partitions for ``topics``: those that waited wait no more."""
        back = [topic for topic in topics if topic in self._waits]
        for topic in back:
            del self._waits[topic]
            log.info("outbox_topic_found", topic=topic)
        if back:
            metrics.TOPICS_WAITING.set(len(self._waits))
