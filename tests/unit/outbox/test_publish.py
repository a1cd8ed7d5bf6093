"""Sending a claimed batch: size check, parking, holding later rows of a parked key, and
leaving the rows of a topic the broker lacks pending."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError, MessageSizeTooLargeError

from events import KafkaRecord
from outbox.claim import ClaimedRow
from outbox.publish import record_size, send_batch, settle


class FakeBuilder:
    """A record batch that holds ``capacity`` records."""

    def __init__(self, capacity: int) -> None:
        self.values: list[bytes] = []
        self.capacity = capacity
        self.closed = False

    def append(
        self, *, timestamp: None, key: bytes, value: bytes, headers: list[tuple[str, bytes]]
    ) -> object | None:
        if self.closed or len(self.values) >= self.capacity:
            return None
        self.values.append(value)
        return object()

    def close(self) -> None:
        self.closed = True


class FakeCluster:
    """The producer's metadata: each topic in ``topics`` has one partition."""

    def __init__(self, topics: set[str]) -> None:
        self.topics = topics
        self.tracked: set[str] = set()
        self.updates = 0

    def partitions_for_topic(self, topic: str) -> set[int] | None:
        return {0} if topic in self.topics else None

    def add_topic(self, topic: str) -> None:
        self.tracked.add(topic)

    async def force_metadata_update(self) -> bool:
        self.updates += 1
        return True

    @property
    def cluster(self) -> FakeCluster:
        return self


class FakeProducer:
    """Records the record batches sent; a batch answers with the first ``outcomes[value]``
    of its records (an exception), else succeeds."""

    def __init__(
        self, outcomes: dict[bytes, BaseException] | None = None, capacity: int = 100
    ) -> None:
        self.batches: list[list[bytes]] = []
        self.outcomes = outcomes or {}
        self.refuse_send: set[bytes] = set()
        self.capacity = capacity
        self.client = FakeCluster({"t"})

    @property
    def sent(self) -> list[bytes]:
        return [value for batch in self.batches for value in batch]

    def create_batch(self) -> FakeBuilder:
        return FakeBuilder(self.capacity)

    async def send_batch(
        self, builder: FakeBuilder, topic: str, *, partition: int
    ) -> asyncio.Future[object]:
        assert builder.closed
        if self.refuse_send & set(builder.values):
            raise KafkaTimeoutError()
        self.batches.append(builder.values)
        future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        failures = [self.outcomes[v] for v in builder.values if v in self.outcomes]
        if failures:
            future.set_exception(failures[0])
        else:
            future.set_result(object())
        return future


def row(row_id: int, key: str, size: int = 10, topic: str = "t") -> ClaimedRow:
    value = f"{row_id}".encode().ljust(size, b".")
    record = KafkaRecord(topic=topic, key=key.encode(), value=value, headers=[("ce_id", b"x")])
    return ClaimedRow(id=row_id, key=key, created_at=datetime.now(UTC), record=record)


def values(rows: list[ClaimedRow]) -> list[int]:
    return [r.id for r in rows]


async def test_a_too_large_row_is_parked_and_holds_back_only_later_rows_of_its_key() -> None:
    producer = FakeProducer()
    rows = [row(1, "a"), row(2, "a", size=5_000), row(3, "b"), row(4, "a"), row(5, "b")]

    batch = await send_batch(producer, rows, max_record_bytes=1_000)

    assert values(batch.sent) == [1, 3, 5]
    assert [(r.id, "1000 byte limit" in error) for r, error in batch.parked] == [(2, True)]
    assert values(batch.held) == [4]
    assert sorted(batch.ids) == [1, 2, 3, 4, 5]


async def test_rows_of_a_topic_the_broker_lacks_wait_and_the_others_go_out() -> None:
    producer = FakeProducer()
    rows = [row(1, "a", topic="gone"), row(2, "a"), row(3, "b", topic="gone"), row(4, "b")]

    batch = await send_batch(producer, rows, max_record_bytes=1_000)

    assert values(batch.sent) == [2, 4]
    assert values(batch.waiting) == [1, 3]
    assert (batch.missing_topics, batch.topics) == ({"gone"}, {"t"})
    assert batch.send_error is None
    assert producer.client.tracked == {"gone"}  # asked for once, not waited for
    assert producer.client.updates == 1
    assert sorted(batch.ids) == [1, 2, 3, 4]  # none claimed again while in flight
    await settle(batch)
    assert batch.keys == {"a", "b"}  # acknowledged, but the waiting rows keep their keys


async def test_rows_travel_in_record_batches_in_id_order() -> None:
    producer = FakeProducer(capacity=2)
    rows = [row(i, "k") for i in range(1, 6)]

    batch = await send_batch(producer, rows, max_record_bytes=1_000)

    assert producer.batches == [[r.record.value for r in rows[i : i + 2]] for i in (0, 2, 4)]
    assert values(batch.sent) == [1, 2, 3, 4, 5]
    assert [values(rows) for rows, _ in batch.groups] == [[1, 2], [3, 4], [5]]


async def test_a_transient_send_failure_stops_the_batch_so_nothing_overtakes() -> None:
    producer = FakeProducer(capacity=1)
    rows = [row(1, "a"), row(2, "b"), row(3, "a")]
    producer.refuse_send.add(rows[1].record.value)

    batch = await send_batch(producer, rows, max_record_bytes=1_000)

    assert values(batch.sent) == [1]
    assert values(batch.held) == [2, 3]
    assert isinstance(batch.send_error, KafkaTimeoutError)


async def test_broker_answers_are_sorted_into_acked_rejected_and_retriable() -> None:
    rows = [row(1, "a"), row(2, "b"), row(3, "c")]
    producer = FakeProducer(
        {
            rows[1].record.value: MessageSizeTooLargeError(),
            rows[2].record.value: KafkaConnectionError(),
        },
        capacity=1,
    )
    batch = await send_batch(producer, rows, max_record_bytes=1_000)

    settled = await settle(batch)

    assert values(settled.acked) == [1]
    assert [r.id for r, _ in settled.rejected] == [2]
    assert [r.id for r, _ in settled.failed] == [3]
    assert settled.suspects == []
    assert settled.producer_broken  # a broker-side rejection breaks the idempotent sequence


async def test_a_refused_record_batch_makes_its_rows_suspects_that_travel_alone() -> None:
    rows = [row(1, "a"), row(2, "b"), row(3, "c")]
    producer = FakeProducer({rows[1].record.value: MessageSizeTooLargeError()})

    settled = await settle(await send_batch(producer, rows, max_record_bytes=1_000))

    # The broker refused the whole record batch: which row is at fault is unknown, so none
    # is parked; all stay pending and go out alone next time.
    assert settled.rejected == []
    assert [r.id for r, _ in settled.failed] == [1, 2, 3]
    assert settled.suspects == [1, 2, 3]
    assert settled.producer_broken

    retry = await send_batch(producer, rows, max_record_bytes=1_000, solo=settled.suspects)
    settled = await settle(retry)

    assert [values(rows) for rows, _ in retry.groups] == [[1], [2], [3]]
    assert values(settled.acked) == [1, 3]
    assert [r.id for r, _ in settled.rejected] == [2]


def test_the_size_estimate_never_undershoots_the_payload() -> None:
    record = row(1, "key", size=900).record
    assert record_size(record) > len(record.value) + len(record.key) + len("ce_id") + 1
