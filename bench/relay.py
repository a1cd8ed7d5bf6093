"""Relay throughput against the raw producer, and commit -> ack latency at a steady load.

    python -m bench.relay              # 50k x 1 KB, spread and hot keys, 3 rounds each
    python -m bench.relay --smoke      # tiny sizes, a few seconds: does it still run?

Each scenario runs on a fresh, migrated database (dropped at the end) of the configured
PostgreSQL server and a unique topic of the configured broker:

* ``spread``: ``--events`` rows round-robin over ``--aggregates`` keys (10,000: 5 per key);
* ``hot``: the same rows over ``--hot-aggregates`` keys (500: 100 per key).

Every round of a scenario measures, one after the other:

(a) raw: the same records, read from the outbox beforehand, sent by one producer with the
    relay's settings (idempotent, acks=all, same linger), every ack awaited — the baseline;
(b) relay: one in-process OutboxRelay draining the pre-inserted outbox;
(c) steady: ``--rate`` rows/s committed for ``--seconds`` (10 per transaction, from another
    process, as the API would) while the relay runs: commit -> ack p50/p99 and the relay's
    stages, interpolated from the relay's exported histograms as ``histogram_quantile``
    would. "Commit" is the row's ``created_at``, the start of its one-statement transaction;
    ``commit_p50_ms``/``_p99_ms`` is how long those transactions took (the writer's view);
(d) floors: what bounds commit -> ack from below, right after: a PostgreSQL round trip
    (``floor_db_round_trip_*``) and one record's acks=all round trip to the broker
    (``floor_broker_ack_*``), each sequential, 200 times.

The machine is shared and noisy: figures are the median of ``--repeat`` rounds with their
spread (min..max), and the ratio of each round is taken within that round. Prints one JSON
document. Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pickle
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import asyncpg
from prometheus_client import Histogram
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.figures import buckets, quantile, summary
from bench.outbox_rows import COLUMNS, Load, insert
from bench.scratch import asyncpg_dsn, scratch_database
from bench.topics import delete_topics
from bench.tracing import tracing_if
from consumers.runtime.heap import prepare_heap
from orderflow.logging import configure_logging
from orderflow.settings import Settings, get_settings
from orderflow.wiring.connections import database_engine
from orderflow.wiring.deployment import relay_options
from outbox import OutboxRelay, metrics
from producers import TopicSpec, create_producer, ensure_topics

STAGES = {
    "claim": metrics.CLAIM_SECONDS,
    "send": metrics.SEND_SECONDS,
    "ack": metrics.ACK_SECONDS,
    "mark": metrics.MARK_SECONDS,
}
AIMS = {"spread": 0.8, "hot": 0.7}
FLOOR_SAMPLES = 200


async def raw_rate(settings: Settings, engine: AsyncEngine) -> float:
    """(a) Events/s of one producer sending every pending outbox record, acks awaited."""
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT e.topic, e.key, e.headers, e.payload FROM outbox.events AS e"
                    " JOIN outbox.pending AS p ON p.lane = e.lane AND p.id = e.id ORDER BY e.id"
                )
            )
        ).all()
    records = [
        (r.topic, r.key.encode(), bytes(r.payload), [(k, v.encode()) for k, v in r.headers.items()])
        for r in rows
    ]
    producer = create_producer(settings.kafka.connection(), linger_ms=settings.relay.linger_ms)
    await producer.start()
    try:
        started = time.perf_counter()
        futures = [await producer.send(t, value=v, key=k, headers=h) for t, k, v, h in records]
        await asyncio.gather(*futures)
        return len(records) / (time.perf_counter() - started)
    finally:
        await producer.stop()


@asynccontextmanager
async def running_relay(settings: Settings, engine: AsyncEngine) -> AsyncIterator[None]:
    """One relay publishing in this event loop, as ``orderflow relay`` configures it."""
    prepare_heap()
    producer = create_producer(settings.kafka.connection(), linger_ms=settings.relay.linger_ms)
    await producer.start()
    relay = OutboxRelay(
        engine,
        producer,
        batch_size=settings.relay.batch_size,
        poll_interval=settings.relay.poll_interval_seconds,
        options=relay_options(settings),
    )
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        yield
    finally:
        stop.set()
        await task
        await producer.stop()


async def drain(engine: AsyncEngine) -> None:
    """Until nothing is pending. ``EXISTS`` stops at the first row: a ``count(*)`` polled
    every 50 ms would take CPU from the relay it measures."""
    query = text("SELECT EXISTS (SELECT FROM outbox.pending)")
    while True:
        async with engine.connect() as conn:
            if not await conn.scalar(query):
                return
        await asyncio.sleep(0.05)


@contextmanager
def steady_rows(load: Load, *, rate: int, seconds: float) -> Iterator[str]:
    """A file of the rows the steady phase commits, written before the relay starts: building
    them in the relay's process while it runs would bill their garbage to the relay."""
    rows = [load.row(10_000_000 + i) for i in range(int(rate * seconds))]
    with tempfile.NamedTemporaryFile(suffix=".pickle") as file:
        file.write(pickle.dumps((COLUMNS, rows)))
        file.flush()
        del rows
        yield file.name


async def offer_load(
    dsn: str, rows_file: str, *, rate: int, seconds: float
) -> tuple[float, list[float]]:
    """Commit the rows of ``rows_file`` at ``rate`` rows/s for ``seconds`` from another process
    (``bench.steady_writer``), as the API processes would; returns the rate achieved and the
    duration of each transaction."""
    writer = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.steady_writer", rows_file, dsn, str(rate),
        str(seconds + 1), stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await writer.communicate()
    if writer.returncode != 0:
        raise RuntimeError(f"the steady writer exited with {writer.returncode}")
    result = json.loads(out)
    return float(result["achieved_rate"]), [float(x) for x in result["commit_seconds"]]


async def steady(
    dsn: str, engine: AsyncEngine, rows_file: str, *, rate: int, seconds: float
) -> dict[str, Any]:
    """(c) Offer ``rate`` rows/s for ``seconds`` to the running relay; latency figures (ms)."""
    histograms: dict[str, Histogram] = {"commit_to_ack": metrics.COMMIT_TO_ACK, **STAGES}
    before = {name: buckets(h) for name, h in histograms.items()}
    achieved, commits = await offer_load(dsn, rows_file, rate=rate, seconds=seconds)
    await drain(engine)
    after = {name: buckets(h) for name, h in histograms.items()}
    figures: dict[str, Any] = {"offered_rate": rate, "achieved_rate": round(achieved, 1)}
    for name in histograms:
        for q in (0.5, 0.99):
            ms = 1000 * quantile(q, before[name], after[name])
            figures[f"{name}_p{round(q * 100)}_ms"] = round(ms, 2)
    figures.update(percentiles("commit", commits))
    return figures


async def floors(settings: Settings, dsn: str, topic: str, payload: bytes) -> dict[str, float]:
    """What bounds commit -> ack from below on this machine, measured right after the steady
    phase: a PostgreSQL round trip (the claim makes one) and one record's round trip to the
    broker with the relay's producer settings (acks=all: the ack stage)."""
    conn = await asyncpg.connect(dsn)
    try:
        trips = [await timed(conn.fetchval("SELECT 1")) for _ in range(FLOOR_SAMPLES)]
    finally:
        await conn.close()
    producer = create_producer(settings.kafka.connection(), linger_ms=settings.relay.linger_ms)
    await producer.start()
    try:
        acks = [
            await timed(producer.send_and_wait(topic, value=payload, key=b"floor"))
            for _ in range(FLOOR_SAMPLES)
        ]
    finally:
        await producer.stop()
    return {**percentiles("floor_db_round_trip", trips), **percentiles("floor_broker_ack", acks)}


async def timed(step: Awaitable[object]) -> float:
    """Seconds ``step`` took."""
    started = time.perf_counter()
    await step
    return time.perf_counter() - started


def percentiles(name: str, seconds: list[float]) -> dict[str, float]:
    """``{name}_p50_ms`` and ``{name}_p99_ms`` of ``seconds``."""
    ordered = sorted(seconds) or [float("nan")]
    return {
        f"{name}_p{q}_ms": round(1000 * ordered[min(len(ordered) - 1, len(ordered) * q // 100)], 2)
        for q in (50, 99)
    }


async def one_round(
    settings: Settings, dsn: str, engine: AsyncEngine, load: Load, args: argparse.Namespace
) -> dict[str, Any]:
    """Fill the outbox, send it raw, drain it with the relay, then the steady phase."""
    async with engine.begin() as conn:
        await conn.execute(text("TRUNCATE outbox.events, outbox.pending, outbox.parked"))
    await insert(dsn, load, 0, args.events)
    async with engine.begin() as conn:
        await conn.execute(text("ANALYZE outbox.events, outbox.pending"))
    raw = await raw_rate(settings, engine)
    with steady_rows(load, rate=args.rate, seconds=args.seconds) as rows_file:
        async with running_relay(settings, engine):
            started = time.perf_counter()
            await drain(engine)
            relay = args.events / (time.perf_counter() - started)
            latency = await steady(dsn, engine, rows_file, rate=args.rate, seconds=args.seconds)
    latency.update(await floors(settings, dsn, load.topic, load.payload))
    return {
        "raw_events_per_s": round(raw),
        "relay_events_per_s": round(relay),
        "ratio": round(relay / raw, 3),
        "steady": latency,
    }


async def scenario(
    settings: Settings, engine: AsyncEngine, name: str, aggregates: int, args: argparse.Namespace
) -> dict[str, Any]:
    """Every round of one scenario on a topic of its own, with medians and spreads."""
    load = Load(f"bench.relay.{uuid.uuid4().hex[:10]}", aggregates, b"x" * args.payload_bytes)
    partitions, replication = settings.kafka.topic_partitions, settings.kafka.topic_replication
    await ensure_topics(
        settings.kafka.connection(), [TopicSpec(load.topic, partitions, replication)]
    )
    dsn = asyncpg_dsn(settings.database.url)
    try:
        rounds = [await one_round(settings, dsn, engine, load, args) for _ in range(args.repeat)]
    finally:
        await delete_topics(settings.kafka.connection(), load.topic)
    return {
        "topic": load.topic,
        "aggregates": aggregates,
        "rows_per_aggregate": round(args.events / aggregates, 1),
        "raw_events_per_s": summary([r["raw_events_per_s"] for r in rounds], 0),
        "relay_events_per_s": summary([r["relay_events_per_s"] for r in rounds], 0),
        "ratio": summary([r["ratio"] for r in rounds]),
        "aim_ratio": AIMS.get(name),
        "steady": {
            key: summary([r["steady"][key] for r in rounds], 2)
            for key in rounds[0]["steady"]
            if key.endswith("_ms")
        },
        "rounds": rounds,
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    """Run the chosen scenarios on one scratch database; return the JSON document."""
    base = get_settings()
    counts = {"spread": args.aggregates, "hot": args.hot_aggregates}
    async with scratch_database(base.database.url) as url:
        settings = base.updated(database={"url": url}, relay={"batch_size": args.batch_size})
        engine = database_engine(settings)
        try:
            results = {
                name: await scenario(settings, engine, name, counts[name], args)
                for name in args.scenario
            }
        finally:
            await engine.dispose()
    return {
        "benchmark": "relay",
        "events": args.events,
        "payload_bytes": args.payload_bytes,
        "batch_size": args.batch_size,
        "partitions": base.kafka.topic_partitions,
        "steady_rate": args.rate,
        "steady_seconds": args.seconds,
        "repeat": args.repeat,
        "scenarios": results,
        "aim_latency_ms": {"p50": 2, "p99": 10},
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line; ``--smoke`` shrinks every size to seconds."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--payload-bytes", type=int, default=1_000)
    parser.add_argument("--batch-size", type=int, default=1_000)
    parser.add_argument("--aggregates", type=int, default=10_000, help="keys of 'spread'")
    parser.add_argument("--hot-aggregates", type=int, default=500, help="keys of 'hot'")
    parser.add_argument(
        "--scenario", choices=["spread", "hot"], action="append", help="default: both"
    )
    parser.add_argument("--rate", type=int, default=1_000, help="steady offered load, events/s")
    parser.add_argument("--seconds", type=float, default=10.0, help="steady phase length")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per scenario")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: a quick check")
    parser.add_argument("--traced", action="store_true", help="tracing on (spans dropped)")
    args = parser.parse_args(argv)
    args.scenario = args.scenario or ["spread", "hot"]
    if args.smoke:
        args.events, args.aggregates, args.hot_aggregates = 400, 100, 10
        args.rate, args.seconds, args.repeat = 200, 0.5, 1
    for name in ("events", "aggregates", "hot_aggregates", "rate", "repeat", "batch_size"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def cli() -> None:
    """Parse arguments, run, print JSON."""
    args = parse()
    configure_logging("WARNING")  # on stderr: stdout carries the JSON document only
    with tracing_if(args.traced):
        result = asyncio.run(main(args))
    print(json.dumps({**result, "traced": args.traced}, indent=2))


if __name__ == "__main__":
    cli()
