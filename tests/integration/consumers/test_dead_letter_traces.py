"""While tracing, a dead letter and its replay stay tied to the message they carry: the
dead-lettering and the replay are ``publish`` spans linked to the message's creation, and the
replayed record is processed again as the child of its original ``traceparent``."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from consumers.operations import DeadLetterDesk, Selection
from consumers.operations.replay import ReplayRequest
from consumers.runtime import Consumer, MessageContext, PermanentError, dead_letter_topic
from events.schemas import OrderPlaced
from foundation.kafka import KafkaConnection
from tests.integration.consumers.support import (
    RunningConsumer,
    create_topic,
    order_placed,
    produce,
    read_all,
)
from tests.support.polling import eventually
from tests.support.tracing import recorded_spans


class RefusesOnce:
    """Refuses every order until ``fixed``; remembers the events handled after that."""

    def __init__(self) -> None:
        self.fixed = False
        self.handled: list[uuid.UUID] = []

    async def __call__(self, event: OrderPlaced, ctx: MessageContext) -> None:
        if not self.fixed:
            raise PermanentError("the address book is broken")
        self.handled.append(ctx.envelope.event_id)


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    with recorded_spans() as exporter:
        yield exporter


async def test_dead_lettering_and_replay_are_linked_to_the_message_they_carry(
    spans: InMemorySpanExporter,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    kafka: KafkaConnection,
    unique: str,
) -> None:
    topic = await create_topic(kafka, f"test.traced.{unique}")
    group = f"test-traced-{unique}"
    event_id, record = order_placed()  # written while tracing: it has a create span
    (created,) = [s for s in spans.get_finished_spans() if s.kind is SpanKind.PRODUCER]
    await produce(kafka, topic, record)
    handler = RefusesOnce()
    async with RunningConsumer(Consumer(group, (topic,), {OrderPlaced: handler}), sessions, kafka):
        await read_all(kafka, dead_letter_topic(group), 1)
        handler.fixed = True
        desk = DeadLetterDesk(engine, kafka)
        replay = ReplayRequest("op", "address book fixed", topic)
        await desk.run(await desk.create_replay(await desk.plan(Selection(group)), replay))
        await eventually(lambda: _handled(handler, event_id), what="the replay handled")

    finished = spans.get_finished_spans()
    processed = [s for s in finished if s.kind is SpanKind.CONSUMER]
    # The failed attempts (the batch's fast path, then the record alone) and the replayed one.
    *failed, succeeded = sorted(processed, key=lambda s: s.start_time or 0)
    assert failed
    assert all(s.status.status_code is StatusCode.ERROR for s in failed)
    assert succeeded.status.status_code is not StatusCode.ERROR
    assert all(_parent(s) == created.context.span_id for s in processed)

    (dead_lettered,) = [s for s in finished if s.name == f"publish {dead_letter_topic(group)}"]
    (replayed,) = [s for s in finished if _attribute(s, "orderflow.replay.job_id")]
    for published in (dead_lettered, replayed):
        assert published.kind is SpanKind.CLIENT
        assert [link.context.span_id for link in published.links] == [created.context.span_id]
    assert replayed.name == f"publish {topic}"


async def _handled(handler: RefusesOnce, event_id: uuid.UUID) -> bool:
    return event_id in handler.handled


def _parent(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent else None


def _attribute(span: ReadableSpan, name: str) -> object:
    return (span.attributes or {}).get(name)
