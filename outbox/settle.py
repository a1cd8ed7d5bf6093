"""Record what the broker answered: mark acknowledged rows, park rejected ones."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
from collections.abc import Callable
from typing import Any

import structlog
from aiokafka.errors import KafkaError

from foundation.histograms import observe_many
from outbox import metrics
from outbox.claim import ClaimedRow, mark_and_park
from outbox.publish import ProducerBroken, SentBatch, settle
from outbox.traces import trace_publishes

log = structlog.get_logger("orderflow.outbox.relay")

# Longer than the producer's request timeout: by then every future has an answer, even if
# the broker is gone (aiokafka fails batches without a leader after that timeout).
ABANDON_TIMEOUT_SECONDS = 30.0


class TransientPublishError(KafkaError):  # type: ignore[misc]
    """Some records of a batch failed with a retriable error; they stay pending."""

    retriable = True


async def settle_batch(
    pool: Any,
    batch: SentBatch,
    *,
    suspects: set[int] | None = None,
    marking: asyncio.Semaphore | None = None,
    on_answered: Callable[[], None] | None = None,
    on_marked: Callable[[int], None] | None = None,
) -> None:
    """Wait for ``batch``'s acknowledgements, then mark and park in one statement on ``pool``.

    ``suspects`` (rows to send alone next time) gains the rows of record batches the broker
    refused as a whole and loses the rows settled for good. ``marking`` bounds the marks in
    progress; ``on_answered`` runs once the broker answered for every record batch, and
    ``on_marked`` with the number of rows marked or parked.

    Raises :class:`ProducerBroken` or :class:`TransientPublishError` after recording what
    succeeded, so the caller backs off (and replaces the producer) before the next batch.
    """
    settled = await settle(batch)
    if on_answered is not None:
        on_answered()
    trace_publishes(batch, settled)
    if suspects is not None:
        suspects.difference_update(row.id for row in settled.acked)
        suspects.difference_update(row.id for row, _ in settled.rejected)
        suspects.update(settled.suspects)
    rejected = settled.rejected + batch.parked
    async with marking or contextlib.nullcontext(), pool.acquire() as conn:
        await mark_and_park(conn, settled.acked, rejected)
    if on_marked is not None:
        on_marked(len(settled.acked) + len(rejected))
    _observe(batch, settled.acked)
    for row, error in rejected:
        metrics.PARKED.labels(topic=row.record.topic).inc()
        log.error("outbox_row_parked", outbox_id=row.id, topic=row.record.topic, error=error)
    if batch.held:
        metrics.HELD.inc(len(batch.held))
    if settled.producer_broken:
        raise ProducerBroken("the broker rejected a batch; the producer's sequence is broken")
    if settled.failed:
        first, cause = settled.failed[0]
        raise TransientPublishError(
            f"{len(settled.failed)} records failed, first outbox row {first.id}: {cause!r}"
        )


async def park_now(pool: Any, parked: list[tuple[ClaimedRow, str]]) -> None:
    """Park rows the relay refused itself (too large), before the next claim: from then on
    they hold their keys back."""
    async with pool.acquire() as conn:
        await mark_and_park(conn, [], parked)
    for row, error in parked:
        metrics.PARKED.labels(topic=row.record.topic).inc()
        log.error("outbox_row_parked", outbox_id=row.id, topic=row.record.topic, error=error)


def _observe(batch: SentBatch, acked: list[ClaimedRow]) -> None:
    now = time.time()
    acked_at = batch.acked_at or now
    if batch.sent_at is not None:
        metrics.ACK_SECONDS.observe(max(0.0, acked_at - batch.sent_at))
    metrics.MARK_SECONDS.observe(max(0.0, now - acked_at))
    if not acked:
        return
    metrics.BATCH_SIZE.observe(len(acked))
    per_topic = collections.Counter(row.record.topic for row in acked)
    for topic, count in per_topic.items():
        metrics.PUBLISHED.labels(topic=topic).inc(count)
    observe_many(
        metrics.COMMIT_TO_ACK, [max(0.0, acked_at - row.created_at.timestamp()) for row in acked]
    )
