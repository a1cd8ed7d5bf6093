"""``orderflow dlq quarantine``: an operator lists, shows, replays, exports and purges records
whose dead letter could not be written — the runtime quarantined them for real here."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from consumers.operations.quarantine import QuarantineDesk
from consumers.runtime import Consumer, MessageContext, PermanentError, dead_letter_topic
from events import KafkaRecord
from events.schemas import OrderPlaced
from foundation.kafka import KafkaConnection
from orderflow.settings import Settings
from producers import TopicSpec, ensure_topics
from tests.integration.consumers.support import (
    RunningConsumer,
    create_topic,
    order_placed,
    produce,
    scalar,
)
from tests.integration.operations.test_cli import assert_user_error, orderflow
from tests.support.polling import eventually


class Refusing:
    """Refuses every order (a bug) until fixed; then remembers what it handled."""

    def __init__(self) -> None:
        self.fixed = False
        self.handled: list[uuid.UUID] = []

    async def __call__(self, event: OrderPlaced, ctx: MessageContext) -> None:
        if not self.fixed:
            raise PermanentError("a bug refuses every order")
        self.handled.append(ctx.envelope.event_id)


def _bulky(record: KafkaRecord, size: int) -> KafkaRecord:
    """``record`` carrying a header of ``size`` bytes (kept in any retry or dead-letter copy)."""
    return KafkaRecord(
        record.topic, record.key, record.value, [*record.headers, ("x-bulk", b"b" * size)]
    )


async def test_an_operator_replays_and_purges_quarantined_records(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    kafka: KafkaConnection,
    unique: str,
    tmp_path: Path,
    engine: AsyncEngine,
) -> None:
    desk = QuarantineDesk(engine, kafka)
    topic = await create_topic(kafka, f"test.quarantine.{unique}")
    group = f"test-quarantine-{unique}"
    # This group's dead-letter topic takes 20 kB at most: both dead letters are refused.
    await ensure_topics(
        kafka, [TopicSpec(dead_letter_topic(group), 1, 1, {"max.message.bytes": "20000"})]
    )
    first_id, first = order_placed()
    _, second = order_placed()
    await produce(kafka, topic, _bulky(first, 25_000), _bulky(second, 30_000))
    handler = Refusing()

    async with RunningConsumer(Consumer(group, (topic,), {OrderPlaced: handler}), sessions, kafka):
        await eventually(lambda: _unresolved(sessions, group, 2), what="both quarantined")
        one, two = await _ids(sessions, group)

        table = await orderflow(settings, "dlq", "quarantine", "ls", "--group", group)
        assert "too_large" in table.out
        assert "2 unresolved quarantined records" in table.out
        note = await orderflow(settings, "dlq", "ls", "--group", group)
        assert f"{group}: 2" in note.out
        assert "dlq quarantine ls" in note.out
        shown = await orderflow(settings, "dlq", "quarantine", "show", str(one))
        assert "its dead letter could not be written" in shown.out
        assert str(first_id) in shown.out  # the ce_id header

        # (in process: every orderflow subprocess costs seconds on a busy machine)
        found = await desk.records(group=group)
        dry = await desk.replay(found, operator="op", reason="r", max_replays=3, dry_run=True)
        assert dry.replayed == [one, two]
        assert await _unresolved(sessions, group, 2)

        handler.fixed = True  # the bug is fixed: the first record is replayed and handled
        replayed = await orderflow(
            settings, "dlq", "quarantine", "replay", str(one), "--reason", "bug fixed"
        )
        assert replayed.code == 0
        assert "replayed 1" in replayed.out
        await eventually(lambda: _has(handler, first_id), what="the replayed record handled")

    again = await desk.replay(
        await desk.records(ids=[one]), operator="op", reason="again", max_replays=3
    )
    assert again.refused == {one: "already replayed"}

    export = tmp_path / "purged.jsonl"
    purged = await orderflow(
        settings,
        "dlq",
        "quarantine",
        "purge",
        str(two),
        "--reason",
        "obsolete",
        "--yes",
        "--export",
        str(export),
    )
    assert purged.code == 0, purged
    (line,) = export.read_text().splitlines()
    saved = json.loads(line)
    assert base64.b64decode(saved["value_base64"]) == second.value
    assert ["x-bulk", base64.b64encode(b"b" * 30_000).decode()] in saved["headers"]

    assert await _unresolved(sessions, group, 0)
    resolutions = await scalar(
        sessions,
        "SELECT string_agg(resolution || ':' || resolved_by, ',' ORDER BY id) "
        "FROM messaging.quarantine WHERE consumer_group = :g",
        g=group,
    )
    assert resolutions.count(":") == 2
    assert resolutions.startswith("replayed:")
    actions = await scalar(
        sessions,
        "SELECT string_agg(action, ',' ORDER BY id) FROM messaging.dead_letter_audit "
        "WHERE consumer_group = :g",
        g=group,
    )
    assert actions == "quarantine-replay,quarantine-purge"


async def test_quarantine_commands_fail_with_one_clear_line(settings: Settings) -> None:
    no_selection = await orderflow(settings, "dlq", "quarantine", "replay", "--reason", "x")
    assert_user_error(no_selection, "say which records", "--group")
    missing = await orderflow(settings, "dlq", "quarantine", "show", "987654321")
    assert_user_error(missing, "no quarantined record has id 987654321")


async def _unresolved(sessions: async_sessionmaker[AsyncSession], group: str, count: int) -> bool:
    async with sessions() as session:
        found = await session.scalar(
            text(
                "SELECT count(*) FROM messaging.quarantine "
                "WHERE consumer_group = :g AND resolution IS NULL"
            ),
            {"g": group},
        )
    return bool(found == count)


async def _ids(sessions: async_sessionmaker[AsyncSession], group: str) -> list[int]:
    async with sessions() as session:
        found = await session.scalars(
            text("SELECT id FROM messaging.quarantine WHERE consumer_group = :g ORDER BY id"),
            {"g": group},
        )
        return list(found)


async def _has(handler: Refusing, event_id: uuid.UUID) -> bool:
    return event_id in handler.handled
