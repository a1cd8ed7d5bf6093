"""The dead-letter figures come from the broker and the bookkeeping tables: whoever reads them,
whenever, sees what the dead-letter topic holds and what replay, purge and export jobs did."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.operations import DeadLetterDesk, Selection
from consumers.operations.conventions import retry_topic
from consumers.operations.figures import GroupFigures, read_figures
from consumers.operations.metrics import DeadLetterCollector
from consumers.operations.replay import ReplayRequest
from consumers.operations.watermarks import DeadLetterWatermarks
from foundation.kafka import KafkaConnection
from tests.integration.operations.dead_letters import Failed, seed


async def _figures(
    kafka: KafkaConnection, sessions: async_sessionmaker[AsyncSession], *groups: str
) -> list[GroupFigures]:
    async with DeadLetterWatermarks(kafka) as watermarks:
        spans = await watermarks.spans(groups)
    async with sessions() as session:
        return await read_figures(session, spans)


async def test_figures_follow_what_the_operators_did(
    desk: DeadLetterDesk,
    kafka: KafkaConnection,
    sessions: async_sessionmaker[AsyncSession],
    group: str,
    tmp_path: Path,
) -> None:
    await seed(kafka, group, *[Failed("permanent")] * 2, Failed(), Failed(), Failed(replay_count=3))
    assert await _figures(kafka, sessions, group) == [GroupFigures(group, 5, 5, 0, 0, 0, 0)]

    purge = await desk.plan(Selection(group, reasons=("permanent",)))
    await desk.purge(purge, operator="carol", reason="bad addresses", export_to=tmp_path / "p")
    await desk.export(await desk.plan(Selection(group)), operator="dan", to=tmp_path / "e")
    replay = ReplayRequest("alice", "SMTP fixed", retry_topic(group, 1))
    await desk.run(await desk.create_replay(await desk.plan(Selection(group)), replay))

    # 5 written: 2 purged, 2 replayed, 1 refused by the loop guard (still unresolved);
    # the export saw the 3 left after the purge.
    assert await _figures(kafka, sessions, group) == [GroupFigures(group, 5, 1, 2, 1, 2, 3)]


async def test_a_group_without_a_dead_letter_topic_has_zero_figures(
    kafka: KafkaConnection, sessions: async_sessionmaker[AsyncSession], group: str
) -> None:
    assert await _figures(kafka, sessions, group) == [GroupFigures(group, 0, 0, 0, 0, 0, 0)]


def test_the_collector_serves_the_last_reading_and_nothing_before() -> None:
    collector = DeadLetterCollector()
    registry = CollectorRegistry()
    registry.register(collector)
    assert b"orderflow_dlq" not in generate_latest(registry)
    collector.update([GroupFigures("notifications", 7, 3, 2, 1, 1, 4)])
    text = generate_latest(registry).decode()
    assert 'orderflow_dlq_dead_letters_total{group="notifications"} 7.0' in text
    assert 'orderflow_dlq_unresolved{group="notifications"} 3.0' in text
    assert 'orderflow_dlq_replayed_total{group="notifications"} 2.0' in text
    assert 'orderflow_dlq_refused_total{group="notifications"} 1.0' in text
    assert 'orderflow_dlq_purged_total{group="notifications"} 1.0' in text
    assert 'orderflow_dlq_exported_total{group="notifications"} 4.0' in text
