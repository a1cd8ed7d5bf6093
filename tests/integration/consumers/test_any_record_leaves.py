"""Property: whatever a record carries, it leaves its partition in bounded time.

Hypothesis builds records from a valid event and hostile variations — headers replaced, added
twice or dropped (huge digit strings, "²", binary, forged retry times and attempt counts),
values that are garbage, empty, absent or close to the broker's 1 MiB limit, huge keys, a
handler that refuses for good or keeps failing — and feeds them to the REAL runtime on the
real Kafka and PostgreSQL, on the main topic and straight into the first retry tier. After
each example, within a bounded time: the group's committed offsets pass every record, every
record was handled, skipped or dead-lettered or quarantined (every undecodable one
dead-lettered or quarantined), the runtime is alive, and it never stalled.

Budget: ``ORDERFLOW_PROPERTY_EXAMPLES`` examples (12 by default, derandomized so ``make test``
is reproducible; raise it to search harder).
"""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime import (
    Consumer,
    MessageContext,
    PermanentError,
    TransientError,
    dead_letter_topic,
    retry_topic,
)
from events import KafkaRecord, decode_record
from events.schemas import OrderLine, OrderPlaced
from foundation.kafka import KafkaConnection
from tests.integration.consumers.support import (
    RunningConsumer,
    committed,
    create_topic,
    order_event,
    produce,
)
from tests.kafka_helpers import end_offsets, read_from
from tests.support.polling import eventually

EXAMPLES = int(os.environ.get("ORDERFLOW_PROPERTY_EXAMPLES", "12"))
ONE_MEGABYTE = 1_048_576
TEST_ID = "x-test-id"

HEADER_NAMES = [
    "ce_type",
    "ce_id",
    "ce_time",
    "ce_source",
    "ce_producerversion",
    "aggregate_version",
    "correlation_id",
    "traceparent",
    "content-type",
    "x-exception-attempts",
    "x-exception-first-failure-at",
    "x-retry-not-before",
    "x-replay-count",
    "something-else",
]
HOSTILE = st.one_of(
    st.binary(max_size=40),
    st.text(max_size=30).map(str.encode),
    st.sampled_from(
        [
            b"9" * 5000,
            "²".encode(),
            "٣".encode(),
            b"",
            b"\xff\xfe",
            b"-1",
            b"0",
            b"9999-12-31T23:59:59+00:00",
            b"orderflow.orders.OrderPlaced.v" + b"9" * 4400,
            b"orderflow.orders.OrderPlaced.v2",
            b"orderflow.orders.OrderPlaced.v1",
            b"orderflow.orders.OrderConfirmed.v1",
        ]
    ),
)
MUTATION = st.tuples(
    st.sampled_from(["replace", "add", "drop"]), st.sampled_from(HEADER_NAMES), HOSTILE
)
RECORD = st.fixed_dictionaries(
    {
        "currency": st.sampled_from(["EUR", "EUR", "BAD", "TMP"]),
        "mutations": st.lists(MUTATION, max_size=4),
        "value": st.one_of(
            st.sampled_from(["valid", "valid", "valid", "empty", "none", "near-limit"]),
            st.binary(max_size=64),
        ),
        "key": st.sampled_from(["order", "order", "none", "huge"]),
        "tier": st.sampled_from([False, False, False, True]),
    }
)


def _spec(**changes: Any) -> dict[str, Any]:
    """A record spec: a valid order unless ``changes`` say otherwise."""
    base = {"currency": "EUR", "mutations": [], "value": "valid", "key": "order", "tier": False}
    return {**base, **changes}


class Handler:
    """Handles orders; currency BAD is refused for good, TMP fails every time."""

    def __init__(self) -> None:
        self.seen: list[uuid.UUID] = []

    async def __call__(self, event: OrderPlaced, ctx: MessageContext) -> None:
        if event.currency == "BAD":
            raise PermanentError("refused for the property test")
        if event.currency == "TMP":
            raise TransientError("never works")
        self.seen.append(ctx.envelope.event_id)


@dataclass
class Harness:
    """A runtime running for the whole module."""

    kafka: KafkaConnection
    sessions: async_sessionmaker[AsyncSession]
    running: RunningConsumer
    handler: Handler
    topic: str
    group: str

    @property
    def tier(self) -> str:
        return retry_topic(self.group, 1)


@pytest.fixture(scope="module")
async def harness(
    sessions: async_sessionmaker[AsyncSession], kafka: KafkaConnection
) -> AsyncIterator[Harness]:
    unique = uuid.uuid4().hex[:10]
    topic = await create_topic(kafka, f"test.property.{unique}")
    group = f"test-property-{unique}"
    handler = Handler()
    running = RunningConsumer(Consumer(group, (topic,), {OrderPlaced: handler}), sessions, kafka)
    async with running:
        await eventually(lambda: _exists(kafka, retry_topic(group, 1)), what="tiers created")
        yield Harness(kafka, sessions, running, handler, topic, group)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("ORDERFLOW_PROPERTY_RANDOM") is None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(specs=st.lists(RECORD, min_size=1, max_size=5))
@example(  # the records that once stalled a partition forever, always tried
    specs=[
        _spec(mutations=[("replace", "ce_type", b"orderflow.orders.OrderPlaced.v" + b"9" * 4400)]),
        _spec(mutations=[("replace", "ce_type", "orderflow.orders.OrderPlaced.v²".encode())]),
        _spec(value=b"{", mutations=[("add", "x-exception-attempts", b"9" * 5000)]),
        _spec(value="near-limit"),
        _spec(tier=True, mutations=[("replace", "x-retry-not-before", b"9999-12-31T23:59:59Z")]),
    ]
)
async def test_every_record_leaves_its_partition(
    harness: Harness, specs: list[dict[str, Any]]
) -> None:
    records = [_build(harness, spec) for spec in specs]
    for topic in (harness.topic, harness.tier):
        if batch := [r for r in records if r.topic == topic]:
            await produce(harness.kafka, topic, *batch)

    # Bounded, with room for a rebalance on a loaded machine (session timeout 10 s + rejoin).
    await eventually(lambda: _all_left(harness, records), timeout=60, what="every record left")
    harness.running.check()
    stalls = REGISTRY.get_sample_value(
        "orderflow_consumer_stalled_batches_total", {"group": harness.group}
    )
    assert not stalls, "the runtime took a record for an outage"


def _build(harness: Harness, spec: dict[str, Any]) -> KafkaRecord:
    event = OrderPlaced(
        order_id=uuid.uuid4(),
        customer_id=uuid.uuid4(),
        currency=spec["currency"],
        lines=(OrderLine(sku="SKU-1", quantity=1, unit_price_minor=100),),
        total_minor=100,
        placed_at=datetime.now(UTC),
    )
    _, valid = order_event(event, version=1)
    headers = _mutated(list(valid.headers), spec["mutations"])
    headers.append((TEST_ID, uuid.uuid4().hex.encode()))
    key = {"order": valid.key, "none": None, "huge": b"k" * 200_000}[spec["key"]]
    value = _value(spec["value"], valid.value, headers, key)
    if key is None and value is None:
        key = b"k"  # Kafka takes a record without a value (a tombstone) only with a key
    topic = harness.tier if spec["tier"] else harness.topic
    return KafkaRecord(topic, cast(bytes, key), cast(bytes, value), headers)


def _mutated(headers: list[tuple[str, bytes]], mutations: list[Any]) -> list[tuple[str, bytes]]:
    for action, name, value in mutations:
        if action == "drop":
            headers = [(n, v) for n, v in headers if n != name]
        elif action == "replace":
            headers = [(n, v) for n, v in headers if n != name] + [(name, value)]
        else:
            headers.append((name, value))
    return headers


def _value(
    kind: object, valid: bytes, headers: list[tuple[str, bytes]], key: bytes | None
) -> bytes | None:
    if isinstance(kind, bytes):
        return kind
    if kind == "near-limit":  # fits the broker, while its dead letter cannot
        taken = sum(len(n) + len(v) for n, v in headers) + len(key or b"")
        return b"{" + b"x" * max(0, ONE_MEGABYTE - 400 - taken)
    return {"valid": valid, "empty": b"", "none": None}[str(kind)]


async def _all_left(harness: Harness, records: list[KafkaRecord]) -> bool:
    for topic in (harness.topic, harness.tier):
        ends = await end_offsets(harness.kafka, topic)
        done = [await committed(harness.kafka, harness.group, topic, tp.partition) for tp in ends]
        if sum(done) < sum(ends.values()):
            return False
    outcomes = await _outcomes(harness)
    return all(_left(record, outcomes, harness.handler) for record in records)


def _left(record: KafkaRecord, outcomes: set[str], handler: Handler) -> bool:
    if _test_id(record) in outcomes:  # dead-lettered or quarantined
        return True
    try:
        decoded = decode_record(record.value, list(record.headers), record.topic)
    except Exception:
        return False  # an undecodable record must be dead-lettered or quarantined
    if not isinstance(decoded.event, OrderPlaced):
        return True  # an event this group does not read: skipped
    return decoded.event.currency == "EUR" and decoded.envelope.event_id in handler.seen


async def _outcomes(harness: Harness) -> set[str]:
    """The test ids of the records in the group's DLQ and in its quarantine."""
    dlq = dead_letter_topic(harness.group)
    ends = await end_offsets(harness.kafka, dlq)
    total = sum(ends.values())
    found: set[str] = set()
    if total:  # (read_from needs at least one poll before it stops)
        dead = await read_from(harness.kafka, dict.fromkeys(ends, 0), lambda rs: len(rs) >= total)
        found = {_header(r.headers or (), TEST_ID) for r in dead}
    async with harness.sessions() as session:
        rows = await session.scalars(
            text(
                "SELECT h->>'value' FROM messaging.quarantine, jsonb_array_elements(headers) h "
                "WHERE consumer_group = :g AND h->>'name' = :n"
            ),
            {"g": harness.group, "n": TEST_ID},
        )
        found |= {_unb64(v) for v in rows}
    return found


def _test_id(record: KafkaRecord) -> str:
    return _header(record.headers, TEST_ID)


def _header(headers: Any, name: str) -> str:
    values = [bytes(v).decode(errors="replace") for n, v in headers if n == name and v is not None]
    return values[-1] if values else ""


def _unb64(value: str) -> str:
    return base64.b64decode(value).decode(errors="replace")


async def _exists(kafka: KafkaConnection, topic: str) -> bool:
    return bool(await end_offsets(kafka, topic))
