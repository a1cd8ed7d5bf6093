"""Record what the broker answered: mark acknowledged rows, park rejected ones."""

from __future__ import annotations

import asyncio
import collections
import time

import structlog
from aiokafka.errors import KafkaError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from outbox import metrics
from outbox.claim import ClaimedRow, mark_published, park
from outbox.publish import ProducerBroken, SentBatch, settle

log = structlog.get_logger("orderflow.outbox.relay")

# Longer than the producer's request timeout: by then every future has an answer, even if
# the broker is gone (aiokafka fails batches without a leader after that timeout).
ABANDON_TIMEOUT_SECONDS = 30.0


class TransientPublishError(KafkaError):  # type: ignore[misc]
    """Some records of a batch failed with a retriable error; they stay pending."""

    retriable = True


async def settle_batch(
    engine: AsyncEngine,
    batch: SentBatch,
    *,
    observe: bool = True,
    suspects: set[int] | None = None,
) -> None:
    """Wait for ``batch``'s acknowledgements, then mark and park in one short transaction.

    ``suspects`` (rows to send alone next time) gains the rows of record batches the broker
    refused as a whole and loses the rows settled for good.

    Raises :class:`ProducerBroken` or :class:`TransientPublishError` after recording what
    succeeded, so the caller backs off (and replaces the producer) before the next batch.
    """
    settled = await settle(batch)
    if suspects is not None:
        suspects.difference_update(row.id for row in settled.acked)
        suspects.difference_update(row.id for row, _ in settled.rejected)
        suspects.update(settled.suspects)
    rejected = settled.rejected + batch.parked
    async with engine.begin() as conn:
        await mark_published(conn, [row.id for row in settled.acked])
        for row, error in rejected:
            await park(conn, [row.id], error)
    for row, error in rejected:
        metrics.PARKED.labels(topic=row.record.topic).inc()
        log.error("outbox_row_parked", outbox_id=row.id, topic=row.record.topic, error=error)
    if batch.held:
        metrics.HELD.inc(len(batch.held))
    if observe:
        _observe(batch, settled.acked)
    if settled.producer_broken:
        raise ProducerBroken("the broker rejected a batch; the producer's sequence is broken")
    if settled.failed:
        first, cause = settled.failed[0]
        raise TransientPublishError(
            f"{len(settled.failed)} records failed, first outbox row {first.id}: {cause!r}"
        )


def _observe(batch: SentBatch, acked: list[ClaimedRow]) -> None:
    metrics.BATCH_SIZE.observe(len(acked))
    acked_at = batch.acked_at or time.time()
    per_topic = collections.Counter(row.record.topic for row in acked)
    for topic, count in per_topic.items():
        metrics.PUBLISHED.labels(topic=topic).inc(count)
    metrics.observe_many(
        metrics.COMMIT_TO_ACK, [max(0.0, acked_at - row.created_at.timestamp()) for row in acked]
    )


async def abandon(
    engine: AsyncEngine,
    in_flight: collections.deque[SentBatch],
    suspects: set[int] | None = None,
) -> None:
    """Best effort after an error: record what was acknowledged, forget the rest (re-sent later).

    Rows not marked here are claimed and sent again: a possible duplicate, never a gap.
    """
    while in_flight:
        batch = in_flight.popleft()
        try:
            await asyncio.wait_for(
                settle_batch(engine, batch, suspects=suspects), ABANDON_TIMEOUT_SECONDS
            )
        except (KafkaError, DBAPIError, OSError, TimeoutError) as exc:
            log.info("outbox_batch_abandoned", rows=len(batch.sent), error=repr(exc))
