"""Replay jobs on the real pair: plan, publish, resolve, loop guard, conflicts, resume."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.operations import (
    DeadLetterDesk,
    EmptySelection,
    InvalidSelection,
    JobConflict,
    LoopGuard,
    ReplayRequest,
    Selection,
)
from consumers.operations.conventions import retry_topic
from consumers.operations.locks import job_lock
from foundation.kafka import KafkaConnection
from tests.integration.operations.dead_letters import Failed, in_inbox, seed
from tests.kafka_helpers import end_offsets, read_from


def _request(group: str, **kw: object) -> ReplayRequest:
    values: dict[str, object] = {
        "operator": "alice",
        "reason": "SMTP fixed (INC-1)",
        "destination": retry_topic(group, 1),
    }
    values.update(kw)
    return ReplayRequest(**values)  # type: ignore[arg-type]


async def _retry_records(kafka: KafkaConnection, group: str, count: int) -> list[dict[str, str]]:
    start = dict.fromkeys(await end_offsets(kafka, retry_topic(group, 1)), 0)
    records = await read_from(kafka, start, lambda got: len(got) >= count)
    return [{n: v.decode() for n, v in r.headers} for r in records]


async def test_dry_run_predicts_duplicates_and_changes_nothing(
    desk: DeadLetterDesk,
    kafka: KafkaConnection,
    sessions: async_sessionmaker[AsyncSession],
    group: str,
) -> None:
    ids = await seed(kafka, group, *[Failed()] * 5)
    await in_inbox(sessions, group, ids[:2])
    plan = await desk.plan(Selection(group))
    assert (plan.total, plan.to_send, plan.refused, plan.predicted_duplicates) == (5, 5, 0, 2)
    assert sum(e for e in (await end_offsets(kafka, retry_topic(group, 1))).values()) == 0
    assert await desk.jobs(group) == []


async def test_replay_publishes_stamped_records_and_resolves_them(
    desk: DeadLetterDesk,
    kafka: KafkaConnection,
    sessions: async_sessionmaker[AsyncSession],
    group: str,
) -> None:
    ids = await seed(kafka, group, *[Failed()] * 4, Failed("permanent"))
    plan = await desk.plan(Selection(group, reasons=("retries_exhausted",)))
    job_id = await desk.create_replay(plan, _request(group))
    view = await desk.run(job_id)
    assert view.job.status == "completed"
    assert view.outcomes["replayed"] == 4
    headers = await _retry_records(kafka, group, 4)
    assert {h["ce_id"] for h in headers} == {str(i) for i in ids[:4]}
    assert {(h["x-replay-id"], h["x-replay-count"]) for h in headers} == {(str(job_id), "1")}
    assert all("x-retry-not-before" in h for h in headers)
    remaining = await desk.summary(group)
    assert [(r.reason, r.count) for r in remaining] == [("permanent", 1)]
    (detail,) = await desk.find(group, ids[0])
    assert detail.resolution == "replayed"
    assert [(e.job_id, e.outcome) for e in detail.history] == [(str(job_id), "replayed")]
    async with sessions() as session:
        actions = (
            await session.execute(
                text(
                    "SELECT action, operator, reason FROM messaging.dead_letter_audit "
                    "WHERE job_id = :j ORDER BY id"
                ),
                {"j": job_id},
            )
        ).all()
    assert [a[0] for a in actions] == ["replay", "replay_completed"]
    assert actions[0][1:] == ("alice", "SMTP fixed (INC-1)")


async def test_the_loop_guard_refuses_records_replayed_too_often_unless_forced(
    desk: DeadLetterDesk, kafka: KafkaConnection, group: str
) -> None:
    await seed(kafka, group, Failed(replay_count=3), Failed(replay_count=1), Failed())
    plan = await desk.plan(Selection(group), guard=LoopGuard(max_replays=3))
    assert (plan.to_send, plan.refused) == (2, 1)
    view = await desk.run(await desk.create_replay(plan, _request(group)))
    assert (view.outcomes["replayed"], view.outcomes["refused_loop_guard"]) == (2, 1)
    stamped = sorted(h["x-replay-count"] for h in await _retry_records(kafka, group, 2))
    assert stamped == ["1", "2"]
    # The refused record stays unresolved; --force sends it.
    forced = await desk.plan(Selection(group), guard=LoopGuard(max_replays=3, force=True))
    assert (forced.total, forced.to_send) == (1, 1)


async def test_a_replayed_record_counts_towards_the_loop_guard(
    desk: DeadLetterDesk, kafka: KafkaConnection, group: str
) -> None:
    await seed(kafka, group, Failed())
    await desk.run(await desk.create_replay(await desk.plan(Selection(group)), _request(group)))
    again = await desk.plan(Selection(group), guard=LoopGuard(max_replays=1), include_resolved=True)
    assert (again.total, again.refused, again.records[0].replays_so_far) == (1, 1, 1)


async def test_a_second_job_over_the_same_records_is_refused_until_the_first_ends(
    desk: DeadLetterDesk, kafka: KafkaConnection, group: str
) -> None:
    await seed(kafka, group, *[Failed()] * 3)
    first = await desk.create_replay(await desk.plan(Selection(group)), _request(group))
    overlapping = await desk.plan(Selection(group, partitions=(0, 1)))
    with pytest.raises(JobConflict, match=rf"job {first} \(queued, by alice\).*dlq cancel {first}"):
        await desk.create_replay(overlapping, _request(group, operator="bob"))
    cancelled = await desk.cancel(first, "alice")
    assert (cancelled.job.status, cancelled.outcomes["cancelled"]) == ("cancelled", 3)
    second = await desk.create_replay(overlapping, _request(group, operator="bob"))
    assert (await desk.run(second)).outcomes["replayed"] == 3


async def test_a_job_held_by_a_live_process_cannot_be_run_twice(
    desk: DeadLetterDesk, engine: object, kafka: KafkaConnection, group: str
) -> None:
    await seed(kafka, group, Failed())
    job_id = await desk.create_replay(await desk.plan(Selection(group)), _request(group))
    async with job_lock(desk._engine, job_id):
        assert (await desk.job(job_id)).live
        with pytest.raises(JobConflict, match="running in another process"):
            await desk.run(job_id)


async def test_an_interrupted_job_resumes_without_sending_anything_twice(
    desk: DeadLetterDesk, kafka: KafkaConnection, group: str
) -> None:
    await seed(kafka, group, *[Failed()] * 30)
    job_id = await desk.create_replay(
        await desk.plan(Selection(group)), _request(group, rate_per_second=40.0)
    )
    stop = asyncio.Event()
    sent = 0

    def progress(n: int) -> None:
        nonlocal sent
        sent += n
        if sent >= 10:
            stop.set()  # what Ctrl-C does

    first = await desk.run(job_id, stop, progress)
    assert first.job.status == "interrupted"
    assert 10 <= first.outcomes["replayed"] < 30
    assert first.outcomes["pending"] == 30 - first.outcomes["replayed"]
    resumed = await desk.run(job_id)
    assert (resumed.job.status, resumed.outcomes["replayed"]) == ("completed", 30)
    headers = await _retry_records(kafka, group, 30)
    await asyncio.sleep(1)  # anything extra would have arrived by now
    assert len(await _retry_records(kafka, group, 30)) == 30
    assert len({h["ce_id"] for h in headers}) == 30


async def test_rate_limits_the_replay(
    desk: DeadLetterDesk, kafka: KafkaConnection, group: str
) -> None:
    await seed(kafka, group, *[Failed()] * 12)
    job_id = await desk.create_replay(
        await desk.plan(Selection(group)), _request(group, rate_per_second=10.0)
    )
    started = asyncio.get_running_loop().time()
    await desk.run(job_id)
    assert asyncio.get_running_loop().time() - started >= 1.0  # 12 records at 10/s


async def test_empty_selection_and_unknown_reason_say_what_to_do(
    desk: DeadLetterDesk, kafka: KafkaConnection, group: str
) -> None:
    await seed(kafka, group, Failed())
    with pytest.raises(EmptySelection, match=rf"reason=permanent.*dlq ls --group {group}"):
        await desk.plan(Selection(group, reasons=("permanent",)))
    with pytest.raises(InvalidSelection, match=r"unknown failure reason .smtp..*retries_exhausted"):
        await desk.plan(Selection(group, reasons=("smtp",)))
