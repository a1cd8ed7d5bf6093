"""Every event version orderflow can publish, sent by the real relay, decoded by the kit into
its typed model (upcast to the newest version), exactly as orderflow's own decoder reads it."""

from __future__ import annotations

import asyncio
import uuid

from aiokafka.structs import ConsumerRecord
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import events.contracts  # noqa: F401  (registers every event)
import orderflow_events as kit
from events import Envelope, decode_record, new_envelope
from events.contracts.examples import example_payloads
from events.registry import registry
from foundation.kafka import KafkaConnection
from foundation.namespace import Namespace
from orderflow.settings import Settings
from outbox import append_envelope
from tests.integration.relay.waiting import relay_until
from tests.kafka_helpers import end_offsets, read_from


def _every_version(namespace: Namespace) -> list[Envelope]:
    return [
        new_envelope(spec.model.model_validate(payload), aggregate_version=7, namespace=namespace)
        for spec in registry
        for payload in example_payloads(spec)
    ]


async def test_the_kit_decodes_every_version_the_relay_publishes(
    kafka: KafkaConnection,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    envelopes = _every_version(settings.deployment.namespace())  # the session's topics
    ids = {str(e.event_id) for e in envelopes}
    start = {}
    for topic in {e.topic for e in envelopes}:
        start.update(await end_offsets(kafka, topic))
    async with sessions.begin() as session:
        await append_envelope(session, *envelopes)

    records = await _relay(kafka, engine, sessions, ids, start)

    by_id = {e.event_id: e for e in envelopes}
    for record in records:
        delivery = kit.decode(
            record.value, kit.headers_of(record.headers), key=record.key, topic=record.topic
        )
        sent = by_id[delivery.metadata.event_id]
        ours = decode_record(record.value, list(record.headers)).event
        assert type(delivery.event).__name__ == type(ours).__name__
        assert delivery.event.model_dump(mode="json") == ours.model_dump(mode="json")
        meta = delivery.metadata
        assert (meta.event_type, meta.version, meta.key) == (
            sent.event_type,
            sent.version,
            sent.key,
        )
        assert (meta.aggregate_version, meta.correlation_id) == (7, sent.correlation_id)
        assert (meta.time, meta.traceparent, meta.source) == (
            sent.time,
            sent.traceparent,
            sent.source,
        )
    wire_types = {dict(r.headers)["ce_type"].decode() for r in records}
    assert wire_types == {spec.ce_type for spec in registry}


async def _relay(
    kafka: KafkaConnection,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    ids: set[str],
    start: dict[object, int],
) -> list[ConsumerRecord[bytes, bytes]]:
    """Run the relay until our rows are published; return our records from the topics."""

    async def published() -> bool:
        async with sessions() as session:
            pending = await session.scalar(
                text(
                    "SELECT count(*) FROM outbox.events AS e JOIN outbox.pending AS p "
                    "ON p.lane = e.lane AND p.id = e.id WHERE e.event_id = ANY(:ids)"
                ),
                {"ids": [uuid.UUID(i) for i in ids]},
            )
        return bool(pending == 0)

    await relay_until(engine, kafka, published)

    def ours(record: ConsumerRecord[bytes, bytes]) -> bool:
        return dict(record.headers).get("ce_id", b"").decode() in ids

    records = await asyncio.wait_for(
        read_from(kafka, start, lambda rs: sum(map(ours, rs)) >= len(ids)),
        30,
    )
    return [r for r in records if ours(r)]
