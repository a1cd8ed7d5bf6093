"""Purge exports before it resolves; export resolves nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from consumers.operations import DeadLetterDesk, JobConflict, Selection
from consumers.operations.conventions import retry_topic
from consumers.operations.replay import ReplayRequest
from foundation.kafka import KafkaConnection
from tests.integration.operations.dead_letters import Failed, seed


async def test_purge_writes_the_export_then_resolves(
    desk: DeadLetterDesk, kafka: KafkaConnection, group: str, tmp_path: Path
) -> None:
    ids = await seed(kafka, group, *[Failed("permanent")] * 3, Failed())
    path = tmp_path / "purged.jsonl"
    plan = await desk.plan(Selection(group, reasons=("permanent",)))
    view = await desk.purge(plan, operator="carol", reason="bad addresses", export_to=path)
    assert (view.job.kind, view.job.status, view.outcomes["purged"]) == ("purge", "completed", 3)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert {line["event_id"] for line in lines} == {str(i) for i in ids[:3]}
    assert [(r.reason, r.count) for r in await desk.summary(group)] == [("retries_exhausted", 1)]
    (detail,) = await desk.find(group, ids[0])
    assert detail.resolution == "purged"


async def test_purge_refuses_to_overwrite_an_export_and_changes_nothing(
    desk: DeadLetterDesk, kafka: KafkaConnection, group: str, tmp_path: Path
) -> None:
    await seed(kafka, group, Failed())
    path = tmp_path / "exists.jsonl"
    path.write_text("")
    with pytest.raises(FileExistsError):
        await desk.purge(
            await desk.plan(Selection(group)), operator="c", reason="r", export_to=path
        )
    assert sum(r.count for r in await desk.summary(group)) == 1


async def test_purge_refuses_records_a_replay_job_holds(
    desk: DeadLetterDesk, kafka: KafkaConnection, group: str, tmp_path: Path
) -> None:
    await seed(kafka, group, Failed())
    plan = await desk.plan(Selection(group))
    request = ReplayRequest("alice", "fix", retry_topic(group, 1))
    await desk.create_replay(plan, request)
    with pytest.raises(JobConflict, match="already holds 1"):
        await desk.purge(plan, operator="bob", reason="r", export_to=tmp_path / "p.jsonl")
    assert sum(r.count for r in await desk.summary(group)) == 1
    assert not (tmp_path / "p.jsonl").exists()


async def test_export_resolves_nothing(
    desk: DeadLetterDesk, kafka: KafkaConnection, group: str, tmp_path: Path
) -> None:
    await seed(kafka, group, *[Failed()] * 2)
    path = tmp_path / "export.jsonl"
    assert await desk.export(await desk.plan(Selection(group)), operator="d", to=path) == 2
    assert len(path.read_text().splitlines()) == 2
    assert sum(r.count for r in await desk.summary(group)) == 2
