"""What "already processed" looks a group's inbox up by: the id that group records, its event id or
what its ``Consumer.inbox_key`` makes of the record (the intake: ``ce_source`` and ``ce_id``)."""

from __future__ import annotations

import uuid
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from consumers.intake import intake_consumer
from consumers.operations import DeadLetterDesk, ReplayRequest, Selection
from consumers.operations.conventions import dead_letter_topic, retry_topic
from events import Envelope, KafkaRecord
from foundation.kafka import KafkaConnection
from orderflow.settings import Settings
from orderflow.wiring.connections import group_id
from orderflow.wiring.deployment import deployed_inbox_keys
from producers import TopicSpec, ensure_topics
from tests.integration.operations.dead_letters import (
    Failed,
    dead_letter_of,
    in_inbox,
    order_placed,
    publish,
)

SOURCES = uuid.UUID("5f0c1d9e-2b7a-4c3e-8d6f-1a2b3c4d5e6f")  # this test's key namespace


def by_source_and_id(envelope: Envelope) -> uuid.UUID:
    """An inbox key like the intake's: the same id from two sources is two records."""
    return uuid.uuid5(SOURCES, f"{envelope.source} {envelope.event_id}")


def expected_key(source: str, event_id: uuid.UUID) -> uuid.UUID:
    """The inbox id :func:`by_source_and_id` gives the record sent by ``source``."""
    return uuid.uuid5(SOURCES, f"{source} {event_id}")


def from_source(record: KafkaRecord, source: str) -> KafkaRecord:
    """``record`` as client ``source`` would send it (its ``ce_source``)."""
    headers = [(n, source.encode() if n == "ce_source" else v) for n, v in record.headers]
    return replace(record, headers=headers)


async def dead_letters_from(
    kafka: KafkaConnection, group: str, sources: list[str]
) -> list[uuid.UUID]:
    """Publish one dead letter of ``group`` per source (in order, on one partition); their
    event ids."""
    await ensure_topics(
        kafka, [TopicSpec(dead_letter_topic(group), 1), TopicSpec(retry_topic(group, 1), 1)]
    )
    ids, records = [], []
    for n, source in enumerate(sources):
        event_id, record = order_placed()
        ids.append(event_id)
        records.append(dead_letter_of(from_source(record, source), group, Failed(), n))
    await publish(kafka, records)
    return ids


async def poison_dead_letter(kafka: KafkaConnection, group: str) -> None:
    """A dead letter whose value is not JSON: the runtime never decoded it, so no inbox row."""
    _, record = order_placed()
    await publish(kafka, [dead_letter_of(replace(record, value=b"{"), group, Failed(), 99)])


def keyed_desk(engine: AsyncEngine, kafka: KafkaConnection, group: str) -> DeadLetterDesk:
    """A desk that knows ``group`` dedupes by :func:`by_source_and_id`."""
    return DeadLetterDesk(engine, kafka, inbox_keys={group: by_source_and_id})


async def test_a_keyed_group_is_looked_up_by_its_inbox_key(
    engine: AsyncEngine,
    kafka: KafkaConnection,
    sessions: async_sessionmaker[AsyncSession],
    group: str,
) -> None:
    ids = await dead_letters_from(kafka, group, ["client-a", "client-b", "client-c"])
    await poison_dead_letter(kafka, group)
    # client-a's record was handled; client-b's event id is in the inbox as a plain event id
    # only (another source's record, say), which is not what this group dedupes by.
    await in_inbox(sessions, group, [expected_key("client-a", ids[0]), ids[1]])
    plan = await keyed_desk(engine, kafka, group).plan(Selection(group))
    assert [p.already_processed for p in plan.records] == [True, False, False, False]
    assert (plan.total, plan.predicted_duplicates) == (4, 1)


async def test_without_its_inbox_key_a_keyed_group_looks_unprocessed(
    desk: DeadLetterDesk,
    kafka: KafkaConnection,
    sessions: async_sessionmaker[AsyncSession],
    group: str,
) -> None:
    """What the tooling predicted before it knew inbox keys: nothing, the miss this fixes."""
    ids = await dead_letters_from(kafka, group, ["client-a"])
    await in_inbox(sessions, group, [expected_key("client-a", ids[0])])
    assert (await desk.plan(Selection(group))).predicted_duplicates == 0


async def test_a_group_without_inbox_key_is_looked_up_by_event_id(
    engine: AsyncEngine,
    kafka: KafkaConnection,
    sessions: async_sessionmaker[AsyncSession],
    group: str,
) -> None:
    ids = await dead_letters_from(kafka, group, ["client-a", "client-b"])
    await in_inbox(sessions, group, [ids[1]])
    other = DeadLetterDesk(engine, kafka, inbox_keys={f"{group}-other": by_source_and_id})
    plan = await other.plan(Selection(group))
    assert [p.already_processed for p in plan.records] == [False, True]


async def test_a_replay_counts_inbox_hits_by_the_inbox_key(
    engine: AsyncEngine,
    kafka: KafkaConnection,
    sessions: async_sessionmaker[AsyncSession],
    group: str,
) -> None:
    ids = await dead_letters_from(kafka, group, ["client-a", "client-b"])
    await in_inbox(sessions, group, [expected_key("client-b", ids[1])])
    desk = keyed_desk(engine, kafka, group)
    plan = await desk.plan(Selection(group))
    request = ReplayRequest("alice", "INC-1", retry_topic(group, 1))
    view = await desk.run(await desk.create_replay(plan, request))
    assert (view.outcomes["replayed"], view.outcomes["already_processed"]) == (2, 1)


def test_the_deployment_knows_the_intake_dedupes_by_source_and_id(settings: Settings) -> None:
    """Keyed by the group id its dead letters record (with the deployment's prefix)."""
    keys = deployed_inbox_keys(settings)
    assert keys == {group_id(settings, "intake"): intake_consumer().inbox_key}
