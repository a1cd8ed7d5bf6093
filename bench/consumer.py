"""Consumer runtime throughput against a raw aiokafka consume loop over the same topic.

    python -m bench.consumer --records 50000 --partitions 3 --repeat 3
    python -m bench.consumer --processes 2    # and scaled out: one group over 2 processes

Pre-produces ``--records`` OrderPlaced records to a unique topic, then reads them all
(each reader in its own fresh consumer group, in the same run):

(a) raw: ``getmany`` + ``commit`` per poll, nothing else (what aiokafka alone costs);
(b) runtime: :class:`ConsumerRuntime` with a no-op handler: decoding and validation, the
    inbox rows (dedupe) in one transaction per partition batch, offsets committed after.

Rates are records per second from the first record received to the last one handled (group
join time excluded for both). Both readers run ``--repeat`` times, alternating, and the median
ratio is reported with every round (the machine is shared: single runs vary by 2x). Runs on a
fresh, migrated database (dropped at the end). Prints one JSON document. Not a test.

With ``--processes N``, ``--repeat`` more rounds then measure the runtime in one process and
in N processes of one group over a topic of ``--partitions`` partitions (by default the
smallest multiple of N from 3, so that they spread evenly), and ``scaling`` reports the factor
rate(N) / rate(1) next to the CPUs they share with PostgreSQL and Kafka (see
:mod:`bench.consumer_scale`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer
from alembic import command
from sqlalchemy.engine import make_url

import events.schemas  # noqa: F401  (registers every event)
from bench.consumer_scale import Setup, cpus, even_partitions, scale_out
from bench.consumer_worker import running
from bench.topics import delete_topics
from bench.tracing import tracing_if
from consumers.runtime import MessageContext
from events import KafkaRecord, new_envelope
from events.codec import encode_record
from events.schemas import OrderLine, OrderPlaced
from orderflow.cli.db import alembic_config
from orderflow.logging import configure_logging
from orderflow.settings import Settings, get_settings
from producers import TopicSpec, create_producer, ensure_topics, publish_records

CHUNK = 5_000


def _record(topic: str) -> KafkaRecord:
    event = OrderPlaced(
        order_id=uuid.uuid4(),
        customer_id=uuid.uuid4(),
        currency="EUR",
        lines=(OrderLine(sku="SKU-1", quantity=1, unit_price_minor=999),),
        total_minor=999,
        placed_at=datetime.now(UTC),
    )
    r = encode_record(new_envelope(event, aggregate_version=1))
    return KafkaRecord(topic, r.key, r.value, r.headers)


async def produce(settings: Settings, topic: str, records: int, partitions: int) -> None:
    """Create ``topic`` and fill it with ``records`` OrderPlaced records."""
    await ensure_topics(settings.kafka.connection(), [TopicSpec(topic, partitions)])
    producer = create_producer(settings.kafka.connection(), linger_ms=20)
    await producer.start()
    try:
        for start in range(0, records, CHUNK):
            batch = [_record(topic) for _ in range(min(CHUNK, records - start))]
            results = await publish_records(producer, batch)
            if any(isinstance(r, BaseException) for r in results):
                raise RuntimeError("producing the bench records failed")
    finally:
        await producer.stop()


async def raw_loop(settings: Settings, topic: str, records: int) -> float:
    """Seconds a bare getmany + commit loop takes to read every record."""
    kafka = AIOKafkaConsumer(
        topic,
        **settings.kafka.connection().client_options(),
        group_id=f"bench-raw-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        max_poll_records=500,
    )
    await kafka.start()
    seen, first = 0, 0.0
    try:
        while seen < records:
            batches = await kafka.getmany(timeout_ms=500)
            if batches and not first:
                first = time.perf_counter()
            seen += sum(len(b) for b in batches.values())
            if batches:
                await kafka.commit({tp: b[-1].offset + 1 for tp, b in batches.items()})
        return time.perf_counter() - first
    finally:
        await kafka.stop()


async def runtime_loop(
    settings: Settings,
    database_url: str,
    topic: str,
    records: int,
    batch_size: int = 1000,
    group: str | None = None,
) -> float:
    """Seconds the consumer runtime takes to handle every record (dedupe + no-op handler)."""
    state: dict[str, Any] = {"seen": 0, "first": 0.0, "last": 0.0}
    done = asyncio.Event()

    async def handler(event: OrderPlaced, ctx: MessageContext) -> None:
        state["seen"] += 1
        now = time.perf_counter()
        state["first"] = state["first"] or now
        state["last"] = now
        if state["seen"] >= records:
            done.set()

    group = group or f"bench-runtime-{uuid.uuid4().hex[:8]}"
    async with running(settings, database_url, group, topic, handler, batch_size):
        await asyncio.wait_for(done.wait(), timeout=600)
    return float(state["last"] - state["first"])


@asynccontextmanager
async def fresh_database(settings: Settings) -> AsyncIterator[str]:
    """A migrated database of its own, dropped afterwards."""
    server = make_url(settings.database.url)
    name = f"orderflow_bench_{uuid.uuid4().hex[:8]}"
    admin_dsn = server.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
        yield url
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


async def main(
    records: int, partitions: int, batch_size: int, repeat: int, processes: int | None = None
) -> dict[str, Any]:
    """Run both readers over the same topic ``repeat`` times, alternating; return the figures.

    The machine is shared, so one pair of runs says little: each round runs the raw loop and
    then the runtime back to back (each in a fresh group), and the ratio reported is the
    median of the rounds' ratios, next to every round's figures.
    """
    settings = get_settings()
    run = uuid.uuid4().hex[:8]
    topic = f"bench.consumer.{run}"
    scaling = None
    try:
        await produce(settings, topic, records, partitions)
        async with fresh_database(settings) as url:
            rounds = await _rounds(settings, url, run, topic, records, batch_size, repeat)
            if processes:
                setup = Setup(
                    settings.kafka.connection(), url, _record, records, partitions, batch_size
                )
                scaling = await scale_out(setup, run, processes, repeat)
    finally:  # the topic, and the retry and dead-letter topics of each runtime group
        await delete_topics(settings.kafka.connection(), topic, f"bench-runtime-{run}-")
    return {
        "records": records,
        "partitions": partitions,
        "batch_size": batch_size,
        "raw_records_per_second": round(_median(rounds, "raw_records_per_second")),
        "runtime_records_per_second": round(_median(rounds, "runtime_records_per_second")),
        "ratio": round(_median(rounds, "ratio"), 3),
        "aim": 0.5,
        "rounds": rounds,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": cpus(),
        "topic": topic,
    } | ({"scaling": scaling} if scaling else {})


async def _rounds(
    settings: Settings,
    url: str,
    run: str,
    topic: str,
    records: int,
    batch_size: int,
    repeat: int,
) -> list[dict[str, Any]]:
    rounds = []
    for n in range(repeat):
        raw_rate = records / await raw_loop(settings, topic, records)
        group = f"bench-runtime-{run}-{n}"
        runtime_seconds = await runtime_loop(settings, url, topic, records, batch_size, group)
        runtime_rate = records / runtime_seconds
        rounds.append(
            {
                "raw_records_per_second": round(raw_rate),
                "runtime_records_per_second": round(runtime_rate),
                "ratio": round(runtime_rate / raw_rate, 3),
            }
        )
    return rounds


def _median(rounds: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(r[key] for r in rounds))


def _positive(value: str) -> int:
    number = int(value) if value.isdigit() else 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return number


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line, ``partitions`` resolved; a wrong flag exits 2 with one message."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument(
        "--partitions",
        type=_positive,
        help="3, or with --processes the smallest multiple of it from 3",
    )
    parser.add_argument("--batch-size", type=int, default=1000, help="records per poll")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of raw + runtime")
    parser.add_argument("--traced", action="store_true", help="tracing on (spans dropped)")
    parser.add_argument(
        "--processes", type=_positive, help="also run one group over this many processes"
    )
    args = parser.parse_args(argv)
    if args.partitions is None:
        args.partitions = even_partitions(args.processes or 1)
    if args.processes and args.partitions < args.processes:
        parser.error(
            f"--partitions {args.partitions} is fewer than --processes {args.processes}: "
            "a group's processes beyond its partition count sit idle"
        )
    return args


def cli() -> None:
    """Parse arguments, run, print JSON."""
    args = arguments()
    configure_logging("WARNING")  # on stderr: stdout carries the JSON document only
    with tracing_if(args.traced):
        result = asyncio.run(
            main(args.records, args.partitions, args.batch_size, args.repeat, args.processes)
        )
    result["traced"] = args.traced
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    cli()
