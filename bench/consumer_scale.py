"""The consumer benchmark's scale-out run: one consumer group over N processes.

``python -m bench.consumer --processes N`` measures, in the same run, the consumer runtime
in one process and in N processes of one group (each a :mod:`bench.consumer_worker`), and
reports the scaling factor rate(N) / rate(1).

What is timed is consumption only, not start-up nor the group's rebalances: the records of a
measurement are produced in ONE Kafka transaction left open while the processes start and
join; the runtime reads ``read_committed``, so no process sees a record before the group is
stable with every member holding its partitions. Committing the transaction then releases
every record to every process at once. Each process reports its first and last record
(CLOCK_MONOTONIC, shared by all processes); the rate is every record over the time from the
earliest first to the latest last.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from events import KafkaRecord
from foundation.kafka import KafkaConnection
from producers import TopicSpec, ensure_topics

CHUNK = 5_000
# The records wait in the open transaction while the processes import and join the group.
TRANSACTION_TIMEOUT_MS = 300_000
SETTLE_TIMEOUT_SECONDS = 120.0
CONSUME_TIMEOUT_SECONDS = 600.0
STOP_TIMEOUT_SECONDS = 120.0
POLL_SECONDS = 0.1

RecordFactory = Callable[[str], KafkaRecord]


class WorkerFailed(RuntimeError):
    """A process of the scale-out run exited before it was told to."""


def cpus() -> int:
    """CPUs this process may run on (what the processes, PostgreSQL and Kafka share)."""
    return len(os.sched_getaffinity(0))


def cpu_times() -> tuple[int, int]:
    """(busy, total) clock ticks of all CPUs since boot, from ``/proc/stat`` (Linux): who
    used them does not matter, only whether anything was left."""
    user, nice, system, idle, iowait, irq, softirq, steal = (
        int(field) for field in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    total = user + nice + system + idle + iowait + irq + softirq + steal
    return total - idle - iowait, total


def busy_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    """The share of all CPUs busy between two :func:`cpu_times`."""
    ticks = after[1] - before[1]
    return round((after[0] - before[0]) / ticks, 2) if ticks else 0.0


def even_partitions(processes: int, at_least: int = 3) -> int:
    """The smallest multiple of ``processes`` that is at least ``at_least``: every process
    gets as many partitions as the next."""
    return processes * -(-at_least // processes)


@dataclass(frozen=True)
class Setup:
    """What every measurement of one scale-out run shares."""

    connection: KafkaConnection
    database_url: str
    make_record: RecordFactory
    records: int
    partitions: int
    batch_size: int


@asynccontextmanager
async def held_back(setup: Setup, topic: str) -> AsyncIterator[None]:
    """Fill ``topic`` in one transaction, committed when the block ends without error."""
    await ensure_topics(setup.connection, [TopicSpec(topic, setup.partitions)])
    producer = AIOKafkaProducer(
        **setup.connection.client_options(),
        transactional_id=f"{topic}.fill",
        transaction_timeout_ms=TRANSACTION_TIMEOUT_MS,
        linger_ms=20,
    )
    await producer.start()
    try:
        await producer.begin_transaction()
        for start in range(0, setup.records, CHUNK):
            batch = [setup.make_record(topic) for _ in range(min(CHUNK, setup.records - start))]
            sent = [
                await producer.send(r.topic, value=r.value, key=r.key, headers=r.headers)
                for r in batch
            ]
            await asyncio.gather(*sent)
        try:
            yield
        except BaseException:
            await producer.abort_transaction()
            raise
        await producer.commit_transaction()
    finally:
        await producer.stop()


class Workers:
    """The processes of one measurement: started, then in the group, then stopped."""

    def __init__(self, setup: Setup, topic: str, group: str, count: int) -> None:
        self.topic, self.group, self.count = topic, group, count
        self._argv = (topic, group, setup.database_url, str(setup.batch_size))
        self._processes: list[asyncio.subprocess.Process] = []

    async def start(self) -> None:
        """Start the processes; they import the application and wait for :meth:`go`."""
        for _ in range(self.count):
            # Their logs (and a failure's traceback) go to this process's stderr.
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bench.consumer_worker", *self._argv,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            )  # fmt: skip
            self._processes.append(process)

    async def ready(self) -> None:
        """Wait until every process has imported what it needs (a ``ready`` line)."""
        for process in self._processes:
            assert process.stdout is not None
            await asyncio.wait_for(process.stdout.readline(), SETTLE_TIMEOUT_SECONDS)
            self.check()

    def go(self) -> None:
        """Let every process join the group, all at once (one rebalance, not one each)."""
        for process in self._processes:
            assert process.stdin is not None
            process.stdin.write(b"go\n")

    def check(self, *, stopped: bool = False) -> None:
        """Raise if a process exited on its own, or with an error once ``stopped`` (its
        traceback is on stderr, above)."""
        for process in self._processes:
            if process.returncode not in ((None, 0) if stopped else (None,)):
                raise WorkerFailed(
                    f"a consumer process of {self.group} exited with {process.returncode}"
                )

    async def stop(self) -> list[dict[str, Any]]:
        """Close their stdin (they leave the group) and read what each handled."""
        for process in self._processes:
            if process.stdin is not None and not process.stdin.is_closing():
                process.stdin.close()
        reports = []
        for process in self._processes:
            out, _ = await asyncio.wait_for(process.communicate(), STOP_TIMEOUT_SECONDS)
            self.check(stopped=True)
            reports.append(json.loads(out))
        return reports

    async def kill(self) -> None:
        """End every process still running (after a failure)."""
        for process in self._processes:
            if process.returncode is None:
                process.kill()
                await process.wait()


async def _admin(connection: KafkaConnection) -> AIOKafkaAdminClient:
    admin = AIOKafkaAdminClient(**connection.client_options())
    await admin.start()
    return admin


async def until_settled(admin: AIOKafkaAdminClient, workers: Workers, members: int) -> None:
    """Wait until the group is stable with all ``members`` (each holds its partitions)."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        workers.check()
        (description,) = await admin.describe_consumer_groups([workers.group])
        (group,) = description.to_object()["groups"]
        if group["state"] == "Stable" and len(group["members"]) == members:
            return
        await asyncio.sleep(POLL_SECONDS)
    raise TimeoutError(f"{workers.group} did not settle with {members} members")


async def until_consumed(
    admin: AIOKafkaAdminClient, workers: Workers, topic: str, setup: Setup
) -> None:
    """Wait until the group committed an offset past every record of ``topic``."""
    partitions = [TopicPartition(topic, p) for p in range(setup.partitions)]
    deadline = time.monotonic() + CONSUME_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        workers.check()
        offsets = await admin.list_consumer_group_offsets(workers.group, partitions=partitions)
        if sum(max(o.offset, 0) for o in offsets.values()) >= setup.records:
            return
        await asyncio.sleep(POLL_SECONDS)
    raise TimeoutError(f"{workers.group} did not consume {setup.records} records")


async def measure(setup: Setup, workers: Workers) -> dict[str, Any]:
    """One measurement: the (ready) ``workers`` join their group and read their topic."""
    admin = await _admin(setup.connection)
    try:
        async with held_back(setup, workers.topic):
            workers.go()
            await until_settled(admin, workers, workers.count)
        before = cpu_times()  # committed: the records are there to read
        await until_consumed(admin, workers, workers.topic, setup)
        after = cpu_times()
        reports = await workers.stop()
    finally:
        await admin.close()
    # Near 1, the machine had no CPU left for another process to use.
    return aggregate(reports, setup.records, workers.count) | {
        "machine_cpu_busy": busy_share(before, after)
    }


def aggregate(reports: list[dict[str, Any]], records: int, processes: int) -> dict[str, Any]:
    handled = sum(r["records"] for r in reports)
    if handled < records:  # the inbox turns a re-delivery into a no-op, never a loss
        raise WorkerFailed(f"{processes} processes handled {handled} of {records} records")
    busy = [r for r in reports if r["records"]]
    seconds = max(r["last"] for r in busy) - min(r["first"] for r in busy)
    return {
        "records_per_second": round(records / seconds),
        "seconds": round(seconds, 3),
        # How much of the time each process was on a CPU: well below 1, it waited (for a
        # CPU, PostgreSQL or Kafka); near 1, its own Python is the limit.
        "per_process": [
            {
                "records": r["records"],
                "cpu_seconds": r["cpu_seconds"],
                "cpu_busy": round(r["cpu_seconds"] / seconds, 2),
            }
            for r in reports
        ],
    }


async def scale_out(setup: Setup, run: str, processes: int, repeat: int) -> dict[str, Any]:
    """``repeat`` rounds of one process and ``processes`` processes, alternating which goes
    first; every measurement reads a topic of its own in a group of its own."""
    rounds, prefix = [], f"bench.consumer.{run}"
    for n in range(repeat):
        one, many = (
            Workers(setup, f"{prefix}.x{count}.{n}", f"bench-runtime-{run}-x{count}-{n}", count)
            for count in (1, processes)
        )
        try:  # both start (and import) at once, before either is measured
            await one.start()
            await many.start()
            await one.ready()
            await many.ready()
            order = (one, many) if n % 2 == 0 else (many, one)
            figures = {workers: await measure(setup, workers) for workers in order}
        finally:
            await one.kill()
            await many.kill()
        factor = figures[many]["records_per_second"] / figures[one]["records_per_second"]
        rounds.append(
            {"one_process": figures[one], "n_processes": figures[many], "factor": round(factor, 3)}
        )
    return _summary(rounds, processes, setup.partitions)


def _summary(rounds: list[dict[str, Any]], processes: int, partitions: int) -> dict[str, Any]:
    factor = statistics.median(r["factor"] for r in rounds)
    machine = cpus()
    return {
        "processes": processes,
        "partitions": partitions,
        "cpus": machine,
        "one_process_records_per_second": round(
            statistics.median(r["one_process"]["records_per_second"] for r in rounds)
        ),
        "n_processes_records_per_second": round(
            statistics.median(r["n_processes"]["records_per_second"] for r in rounds)
        ),
        "factor": round(factor, 3),
        "efficiency": round(factor / processes, 3),
        "machine_cpu_busy": {
            key: statistics.median(r[key]["machine_cpu_busy"] for r in rounds)
            for key in ("one_process", "n_processes")
        },
        "note": (
            f"{processes} processes on {machine} CPUs shared with PostgreSQL and Kafka: "
            "the factor is bounded by the CPUs left to the processes, not by the partitions"
        ),
        "rounds": rounds,
    }
