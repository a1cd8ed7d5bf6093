"""Relay throughput against the raw producer, and commit -> ack latency at a steady load.

    python -m bench.relay --events 100000

Runs on a fresh, migrated database (dropped at the end) of the configured PostgreSQL server
and a unique topic of the configured broker; prints one JSON document. Not a test.

(a) raw: the same records, read from the outbox beforehand, sent by one producer with the
    relay's settings (idempotent, acks=all, same linger and batch size), all acks awaited.
(b) relay: one in-process OutboxRelay draining the pre-inserted outbox.
(c) steady: rows committed at ``--rate`` per second (10 per transaction) while the relay
    runs; latency is ``published_at - created_at``: commit -> marked published, an upper
    bound of commit -> broker ack.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from orderflow.cli.db import alembic_config
from orderflow.settings import Settings, get_settings
from orderflow.wiring.connections import database_engine
from orderflow.wiring.deployment import relay_options
from outbox import OutboxRelay, lane_of, metrics
from producers import TopicSpec, create_producer, ensure_topics

CHUNK = 5_000
_LATENCY = """
    SELECT percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY ms), max(ms), count(*)
    FROM (SELECT EXTRACT(EPOCH FROM published_at - created_at) * 1000 AS ms
          FROM outbox.events WHERE id > :first) AS l
"""


# Rows are spread round-robin over this many aggregates (``--aggregates``): the relay keeps
# each aggregate in order, so fewer aggregates mean less of a batch can be in flight at once.
AGGREGATES = 1000


def _row(topic: str, i: int, payload: bytes) -> tuple[Any, ...]:
    event_id = uuid.uuid4()
    key = f"bench-{i % AGGREGATES:06d}"
    version = i // AGGREGATES + 1
    headers = json.dumps({"ce_id": str(event_id), "aggregate_version": str(version)})
    return (event_id, topic, key, "bench.Event", 1, version, lane_of(key), headers, payload)


async def insert(dsn: str, topic: str, start: int, count: int, payload: bytes) -> None:
    """Insert ``count`` rows with COPY, ``CHUNK`` per transaction."""
    conn = await asyncpg.connect(dsn)
    try:
        columns = ["event_id", "topic", "key", "event_type", "event_version"]
        columns += ["aggregate_version", "lane", "headers", "payload"]
        for first in range(start, start + count, CHUNK):
            rows = [
                _row(topic, i, payload) for i in range(first, min(first + CHUNK, start + count))
            ]
            await conn.copy_records_to_table(
                "events", schema_name="outbox", columns=columns, records=rows
            )
    finally:
        await conn.close()


async def raw_rate(settings: Settings, engine: AsyncEngine) -> float:
    """(a) Events/s of one producer sending every outbox record, acks awaited."""
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text("SELECT topic, key, headers, payload FROM outbox.events ORDER BY id")
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
    """One relay publishing in this event loop."""
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


async def any_pending(engine: AsyncEngine) -> bool:
    """Whether a row still waits for the relay.

    ``EXISTS`` stops at the first pending row of the partial index; ``count(*)`` walked all of
    them (70-140 ms of PostgreSQL CPU with 100,000 pending) and, polled every 50 ms, took
    about a core from the relay it was measuring.
    """
    async with engine.connect() as conn:
        return bool(
            await conn.scalar(
                text(
                    "SELECT EXISTS (SELECT FROM outbox.events"
                    " WHERE published_at IS NULL AND parked_at IS NULL)"  # the partial index
                )
            )
        )


async def drain(engine: AsyncEngine) -> None:
    while await any_pending(engine):  # noqa: ASYNC110 - polling the database is the point
        await asyncio.sleep(0.05)


def offer_load(dsn: str, topic: str, *, rate: int, seconds: float, payload: bytes) -> int:
    """Commit ``rate`` rows/s (10 per transaction) from a thread with its own event loop, as
    the API processes would; returns the rows written."""

    async def write() -> int:
        conn = await asyncpg.connect(dsn)
        columns = ["event_id", "topic", "key", "event_type", "event_version"]
        columns += ["aggregate_version", "lane", "headers", "payload"]
        started, sent = time.perf_counter(), 0
        try:
            while time.perf_counter() - started < seconds:
                rows = [_row(topic, 10_000_000 + sent + i, payload) for i in range(10)]
                await conn.copy_records_to_table(
                    "events", schema_name="outbox", columns=columns, records=rows
                )
                sent += len(rows)
                await asyncio.sleep(max(0.0, started + sent / rate - time.perf_counter()))
        finally:
            await conn.close()
        return sent

    return asyncio.run(write())


def ack_buckets() -> dict[float, float]:
    """Cumulative counts of the relay's commit -> ack histogram, by upper bound."""
    return {
        float(sample.labels["le"]): sample.value
        for metric in metrics.COMMIT_TO_ACK.collect()
        for sample in metric.samples
        if sample.name.endswith("_bucket")
    }


def quantile(q: float, before: dict[float, float], after: dict[float, float]) -> float:
    """``histogram_quantile`` over the observations between two snapshots (seconds)."""
    bounds = sorted(after)
    counts = [after[b] - before.get(b, 0.0) for b in bounds]
    rank, lower, below = q * counts[-1], 0.0, 0.0
    for bound, cumulative in zip(bounds, counts, strict=True):
        if cumulative >= rank:
            if bound == float("inf"):
                return lower
            inside = cumulative - below
            return lower + (bound - lower) * ((rank - below) / inside if inside else 1.0)
        lower, below = bound, cumulative
    return lower


async def steady(
    dsn: str, engine: AsyncEngine, topic: str, *, rate: int, seconds: float, payload: bytes
) -> dict[str, Any]:
    """(c) Commit ``rate`` rows/s for ``seconds``: commit -> ack (from the relay's histogram,
    interpolated like ``histogram_quantile``) and commit -> marked published (exact)."""
    async with engine.connect() as conn:
        first_id = int(
            await conn.scalar(text("SELECT coalesce(max(id), 0) FROM outbox.events")) or 0
        )
    before = ack_buckets()
    started = time.perf_counter()
    sent = await asyncio.to_thread(
        offer_load, dsn, topic, rate=rate, seconds=seconds, payload=payload
    )
    achieved = sent / (time.perf_counter() - started)
    await drain(engine)
    after = ack_buckets()
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text(_LATENCY),
                {"first": first_id},
            )
        ).one()
    (p50, p99), worst, count = row
    return {
        "offered_rate": rate,
        "achieved_rate": round(achieved, 1),
        "events": count,
        "commit_to_ack_p50_ms": round(1000 * quantile(0.5, before, after), 2),
        "commit_to_ack_p99_ms": round(1000 * quantile(0.99, before, after), 2),
        "commit_to_published_p50_ms": round(float(p50), 2),
        "commit_to_published_p99_ms": round(float(p99), 2),
        "max_ms": round(float(worst), 2),
    }


@asynccontextmanager
async def scratch_database(settings: Settings) -> AsyncIterator[str]:
    """A fresh migrated database on the configured server, dropped afterwards."""
    server = make_url(settings.database.url)
    name = f"orderflow_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(
        server.set(drivername="postgresql", database="postgres").render_as_string(
            hide_password=False
        )
    )
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        from alembic import command  # noqa: PLC0415 - only the bench needs it

        await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
        yield url
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


async def main(args: argparse.Namespace) -> dict[str, Any]:
    base = get_settings()
    async with scratch_database(base) as url:
        settings = base.updated(database={"url": url}, relay={"batch_size": args.batch_size})
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        engine = database_engine(settings)
        topic = f"bench.relay.{uuid.uuid4().hex[:10]}"
        await ensure_topics(
            settings.kafka.connection(),
            [TopicSpec(topic, settings.kafka.topic_partitions, settings.kafka.topic_replication)],
        )
        payload = b"x" * args.payload_bytes
        await insert(dsn, topic, 0, args.events, payload)
        async with engine.begin() as conn:
            await conn.execute(text("ANALYZE outbox.events"))
        raw = await raw_rate(settings, engine)
        async with running_relay(settings, engine):
            started = time.perf_counter()
            await drain(engine)
            relay = args.events / (time.perf_counter() - started)
            latency = await steady(
                dsn, engine, topic, rate=args.rate, seconds=args.seconds, payload=payload
            )
        await engine.dispose()
    return {
        "events": args.events,
        "aggregates": AGGREGATES,
        "payload_bytes": args.payload_bytes,
        "batch_size": args.batch_size,
        "partitions": settings.kafka.topic_partitions,
        "raw_events_per_s": round(raw),
        "relay_events_per_s": round(relay),
        "ratio_relay_to_raw": round(relay / raw, 3),
        "steady": latency,
    }


def cli() -> None:
    global AGGREGATES  # noqa: PLW0603 (a benchmark knob read by the row factory)
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--payload-bytes", type=int, default=1_000)
    parser.add_argument("--batch-size", type=int, default=1_000)
    parser.add_argument("--rate", type=int, default=1_000, help="steady offered load, events/s")
    parser.add_argument("--seconds", type=float, default=20.0, help="steady phase length")
    parser.add_argument("--aggregates", type=int, default=AGGREGATES, help="distinct keys")
    args = parser.parse_args()
    if args.aggregates < 1:
        parser.error("--aggregates must be at least 1")
    AGGREGATES = args.aggregates
    print(json.dumps(asyncio.run(main(args)), indent=2))


if __name__ == "__main__":
    cli()
