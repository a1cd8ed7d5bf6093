"""One batch on its way to Kafka: checked, sent in order, then sorted by the broker's answers.

Rows travel in aiokafka record batches (:mod:`outbox.batches`), one future per record batch.
Only errors about the record itself park it (it would fail the same way forever); anything
else is transient and the row stays pending. Rows of a topic the broker has no partitions for
(deleted, or not created yet) wait while the rest of the batch goes out
(:mod:`outbox.waiting`). A broker-side rejection also breaks the idempotent producer's
sequence numbers for that partition, so the producer must be replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from aiokafka import AIOKafkaProducer
from aiokafka.errors import (
    CorruptRecordException,
    InvalidProducerEpoch,
    InvalidTimestampError,
    KafkaError,
    MessageSizeTooLargeError,
    OutOfOrderSequenceNumber,
    PolicyViolationError,
    ProducerFenced,
    RecordListTooLargeError,
    RecordTooLargeError,
    UnknownProducerId,
)

from events import KafkaRecord
from outbox.batches import PartitionBatch, pack
from outbox.claim import ClaimedRow

PERMANENT = (
    MessageSizeTooLargeError,
    RecordTooLargeError,
    RecordListTooLargeError,
    CorruptRecordException,
    InvalidTimestampError,
    PolicyViolationError,
)
PRODUCER_FATAL = (OutOfOrderSequenceNumber, InvalidProducerEpoch, ProducerFenced, UnknownProducerId)
# Record batch + record framing; generous so that the estimate never undershoots.
_OVERHEAD_BYTES = 128
# How long a send waits for one metadata answer about topics it has not seen yet: a topic the
# broker has is in the answer (milliseconds); one it lacks is not, however long we wait.
METADATA_WAIT_SECONDS = 5.0


class ProducerBroken(KafkaError):  # type: ignore[misc]
    """The producer's idempotence state is broken; it must be replaced before sending more."""

    retriable = True


def record_size(record: KafkaRecord) -> int:
    """An upper estimate of ``record`` on the wire."""
    headers = sum(len(name.encode()) + len(value) + 2 for name, value in record.headers)
    return len(record.key) + len(record.value) + headers + _OVERHEAD_BYTES


@dataclass
class SentBatch:
    """What one claimed batch became after ``send_batch``."""

    sent: list[ClaimedRow] = field(default_factory=list)
    groups: list[tuple[list[ClaimedRow], asyncio.Future[object]]] = field(default_factory=list)
    parked: list[tuple[ClaimedRow, str]] = field(default_factory=list)
    held: list[ClaimedRow] = field(default_factory=list)
    # Rows of topics the broker has no partitions for: not sent.
    waiting: list[ClaimedRow] = field(default_factory=list)
    # The topics whose partitions the broker named for this batch.
    topics: set[str] = field(default_factory=set)
    send_error: BaseException | None = None
    sent_at: float | None = None
    acked_at: float | None = None

    def note_ack(self, _: object = None) -> None:
        """Done-callback of each record batch's future: the last call is the batch's ack."""
        self.acked_at = time.time()

    @property
    def acked(self) -> bool:
        """Whether the broker acknowledged every record batch sent (and nothing failed)."""
        return self.send_error is None and all(
            future.done() and not future.cancelled() and future.exception() is None
            for _, future in self.groups
        )

    @property
    def missing_topics(self) -> set[str]:
        """The topics of the rows that wait: the broker had no partitions for them."""
        return {r.record.topic for r in self.waiting}

    @property
    def ids(self) -> list[int]:
        """Every row of the batch (sent or not): excluded from the next claim while in flight."""
        return [
            *(r.id for r in self.sent),
            *(r.id for r, _ in self.parked),
            *(r.id for r in self.held),
            *(r.id for r in self.waiting),
        ]

    @property
    def keys(self) -> set[str]:
        """Keys whose rows here are not all on the broker yet: their later rows must wait.

        Once every record batch is acknowledged, nothing later can overtake these rows, so
        their keys are free again even before the rows are marked published.
        """
        return {r.key for r in self._unacked()}

    @property
    def lanes(self) -> set[int]:
        """The lanes of :attr:`keys`' rows: where rows were left behind for them."""
        return {r.lane for r in self._unacked()}

    def _unacked(self) -> list[ClaimedRow]:
        unsent = [*self.held, *self.waiting]
        return unsent if self.acked else [*unsent, *self.sent]


@dataclass
class Settled:
    """The broker's answers to a sent batch."""

    acked: list[ClaimedRow] = field(default_factory=list)
    rejected: list[tuple[ClaimedRow, str]] = field(default_factory=list)
    failed: list[tuple[ClaimedRow, BaseException]] = field(default_factory=list)
    suspects: list[int] = field(default_factory=list)
    producer_broken: bool = False


async def send_batch(
    producer: AIOKafkaProducer,
    rows: Sequence[ClaimedRow],
    max_record_bytes: int,
    solo: Collection[int] = (),
) -> SentBatch:
    """Hand ``rows`` to the producer in order, parking the ones too large to ever be accepted.

    Rows after a parked row of the same key are held back (not sent), and the first transient
    failure to queue a record batch stops the batch, so a later row of a key never goes out
    before an earlier one. Rows in ``solo`` travel in a record batch of their own. Rows of a
    topic the broker has no partitions for wait (``waiting``); an ordering
    key includes its topic, so all of a key's rows here wait with it, and the others go out.
    """
    batch = SentBatch()
    sendable = _check(rows, max_record_bytes, batch, solo)
    topics = {row.record.topic for row in sendable}
    partitions = await partitions_of(producer, topics)
    batch.topics = set(partitions)
    if len(partitions) < len(topics):
        batch.waiting = [row for row in sendable if row.record.topic not in partitions]
        sendable = [row for row in sendable if row.record.topic in partitions]
    rounds = pack(producer, sendable, partitions, solo)
    for i, round_ in enumerate(rounds):
        for j, part in enumerate(round_):
            try:
                future = await _submit(producer, part)
            except (KafkaError, OSError, TimeoutError) as exc:
                # Nothing queued after a failure: a partition's later batches would overtake.
                batch.send_error = exc
                batch.held += [r for p in round_[j:] for r in p.rows]
                batch.held += [r for later in rounds[i + 1 :] for p in later for r in p.rows]
                return batch
            future.add_done_callback(batch.note_ack)
            batch.sent += part.rows
            batch.groups.append((part.rows, future))
    batch.sent_at = time.time()
    return batch


async def partitions_of(
    producer: AIOKafkaProducer, topics: Iterable[str], wait: float = METADATA_WAIT_SECONDS
) -> dict[str, list[int]]:
    """The sorted partitions of each of ``topics`` the broker has; a topic it lacks is left out.

    Topics in the producer's metadata cost nothing. The others are added to what the
    producer tracks and asked for in one metadata request, answered within ``wait`` seconds
    or not at all (a broker away: those topics are left out this time). Never the producer's
    own wait for a missing topic, which would hold every other topic for its request timeout.
    """
    cluster = producer.client.cluster
    found: dict[str, list[int]] = {}
    unknown: list[str] = []
    for topic in topics:
        partitions = cluster.partitions_for_topic(topic)
        if partitions:
            found[topic] = sorted(partitions)
        else:
            unknown.append(topic)
    if unknown:
        for topic in unknown:
            producer.client.add_topic(topic)
        with contextlib.suppress(KafkaError, OSError, TimeoutError):
            await asyncio.wait_for(producer.client.force_metadata_update(), wait)
        for topic in unknown:
            if partitions := producer.client.cluster.partitions_for_topic(topic):
                found[topic] = sorted(partitions)
    return found


def _check(
    rows: Sequence[ClaimedRow], max_record_bytes: int, batch: SentBatch, solo: Collection[int]
) -> list[ClaimedRow]:
    """The rows to send; parks the too large ones and holds later rows of their key.

    A suspect (a row of a record batch the broker refused) may be the refused one: until the
    broker answered for it, later rows of its key are held too, or one could land while the
    suspect is parked.
    """
    sendable: list[ClaimedRow] = []
    blocked: set[tuple[str, str]] = set()
    for row in rows:
        size = record_size(row.record)
        if row.ordering_key in blocked:
            batch.held.append(row)
        elif size > max_record_bytes:
            error = f"record of {size} bytes exceeds the {max_record_bytes} byte limit"
            batch.parked.append((row, f"MessageSizeTooLargeError: {error}"))
            blocked.add(row.ordering_key)
        else:
            sendable.append(row)
            if row.id in solo:
                blocked.add(row.ordering_key)
    return sendable


async def _submit(producer: AIOKafkaProducer, part: PartitionBatch) -> asyncio.Future[object]:
    part.builder.close()  # nothing else may be appended once it is queued
    future: asyncio.Future[object] = await producer.send_batch(
        part.builder, part.topic, partition=part.partition
    )
    return future


async def settle(batch: SentBatch) -> Settled:
    """Wait for every acknowledgement of ``batch`` and sort the rows by outcome.

    A permanent rejection of a record batch of several rows does not say which row the broker
    refused: those rows fail (they stay pending) and become *suspects*, sent alone next time,
    so that only the refused row is parked.
    """
    settled = Settled()
    for rows, future in batch.groups:
        result = await _outcome(future)
        if result is None:
            settled.acked += rows
        elif isinstance(result, PERMANENT) and len(rows) == 1:
            settled.rejected.append((rows[0], repr(result)))
            settled.producer_broken = True
        elif isinstance(result, PERMANENT):
            settled.failed += [(row, result) for row in rows]
            settled.suspects += [row.id for row in rows]
            settled.producer_broken = True
        else:
            settled.failed += [(row, result) for row in rows]
            settled.producer_broken |= isinstance(result, PRODUCER_FATAL)
    return settled


async def _outcome(future: asyncio.Future[object]) -> BaseException | None:
    try:
        await future
    except (KafkaError, OSError, TimeoutError) as exc:
        return exc
    except asyncio.CancelledError as exc:
        if not future.cancelled():
            raise  # this task is being cancelled, not the send
        return exc
    return None
