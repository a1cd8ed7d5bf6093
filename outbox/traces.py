"""A ``publish`` span per outbox row the broker answered for, linked to the row's creation
context (the ``create`` span its request recorded): see :mod:`foundation.tracing`."""

from __future__ import annotations

from foundation import tracing
from outbox.claim import ClaimedRow
from outbox.publish import SentBatch, Settled


def trace_publishes(batch: SentBatch, settled: Settled) -> None:
    """Record the spans of ``batch`` once settled; returns at once while tracing is off."""
    if not tracing.tracing_on():
        return
    started = _ns(batch.sent_at)
    ended = _ns(batch.acked_at)
    for row in settled.acked:
        _publish(row, started, ended, None)
    for row, error in [*settled.rejected, *batch.parked]:
        _publish(row, started, ended, error)
    for row, cause in settled.failed:
        _publish(row, started, ended, repr(cause))


def _publish(row: ClaimedRow, started: int | None, ended: int | None, error: str | None) -> None:
    record = row.record
    tracing.record_publish(
        record.topic,
        tracing.traceparent_header(record.headers),
        {
            "messaging.system": "kafka",
            "messaging.operation.type": "send",
            "messaging.destination.name": record.topic,
            "messaging.kafka.message.key": row.key,
            "orderflow.outbox.id": row.id,
        },
        started_ns=started,
        ended_ns=ended,
        error=error,
    )


def _ns(seconds: float | None) -> int | None:
    return None if seconds is None else int(seconds * 1_000_000_000)
