"""Kafka intake throughput: submissions per second to a decided submission (order + reply),
against the consumer runtime with a trivial handler over the same records, in the same run.

    python -m bench.intake --submissions 2000 --partitions 3 --repeat 3

Pre-produces ``--submissions`` ``OrderSubmitted`` records (one client, a few SKUs with stock
enough) to a unique topic, then reads them all, each reader in a fresh consumer group:

(a) baseline: the runtime with a no-op handler (decoding, inbox rows, offsets);
(b) intake: the intake group's handler, the real place-order command: catalog prices, stock
    reservation, the order with its events, the stored submission and its reply.

Rates are from the first record handled to the last one committed (an after-commit effect
stamps it: a submission counts once its order and reply are durable), group join excluded for
both. The intake reader runs the handler within the group's batch scope, as the group does.
The rounds alternate; the ratio reported is the median of the rounds' ratios (a shared machine
varies by 2x). Fresh, migrated database, dropped at the end. Prints one JSON document.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import events.schemas  # noqa: F401  (registers every event)
from bench.consumer import fresh_database
from consumers.intake import intake_consumer
from consumers.intake.handlers import take_submission
from consumers.runtime import (
    BatchScope,
    Consumer,
    ConsumerRuntime,
    EffectContext,
    MessageContext,
    RetryPolicy,
)
from devtools.upstream.records import submission_record
from domains.catalog.api import CatalogUnitOfWork, CreateProduct, create_product
from domains.identity import api as identity
from events.schemas.orders import OrderSubmitted
from foundation.database import create_engine, create_sessions
from foundation.namespace import DEFAULT_NAMESPACE
from orderflow.logging import configure_logging
from orderflow.settings import Settings, get_settings
from producers import TopicSpec, create_producer, ensure_topics, publish_records

SKUS = 8
CHUNK = 2_000
Handler = Callable[[OrderSubmitted, MessageContext], Awaitable[None]]
INTAKE_SCOPE = intake_consumer().batch_scope


async def prepare(url: str, submissions: int) -> uuid.UUID:
    """A client with orders:write and ``SKUS`` products with stock for every submission."""
    engine = create_engine(url)
    sessions = create_sessions(engine, DEFAULT_NAMESPACE)  # the benchmark's own topics
    try:
        async with sessions() as session, session.begin():
            scopes = frozenset({identity.ORDERS_WRITE})
            client, _ = await identity.register_client(session, "bench-upstream", scopes)
        for number in range(SKUS):
            product = CreateProduct(
                sku=f"BENCH-{number}",
                name="Bench mug",
                description="",
                price_minor=1000,
                currency="EUR",
                initial_stock=submissions,
            )
            await create_product(product, CatalogUnitOfWork(sessions))
    finally:
        await engine.dispose()
    return client.client_id


async def produce(
    settings: Settings, topic: str, source: uuid.UUID, count: int, parts: int
) -> None:
    """``count`` valid submissions from ``source`` on a new ``topic``."""
    await ensure_topics(settings.kafka.connection(), [TopicSpec(topic, parts)])
    producer = create_producer(settings.kafka.connection(), linger_ms=20)
    await producer.start()
    try:
        for start in range(0, count, CHUNK):
            batch = [
                submission_record(source, _body(number), topic=topic)
                for number in range(start, min(count, start + CHUNK))
            ]
            results = await publish_records(producer, batch)
            if any(isinstance(r, BaseException) for r in results):
                raise RuntimeError("producing the bench records failed")
    finally:
        await producer.stop()


def _body(number: int) -> dict[str, Any]:
    return {
        "external_reference": f"bench-{number}-{uuid.uuid4().hex[:6]}",
        "customer_id": str(uuid.uuid4()),
        "currency": "EUR",
        "lines": [{"sku": f"BENCH-{number % SKUS}", "quantity": 1}],
        "payment": {"method": "external", "reference": f"bench-pay-{number}"},
    }


async def read_all(
    settings: Settings,
    url: str,
    topic: str,
    count: int,
    work: tuple[Handler, BatchScope | None],
) -> float:
    """Seconds the runtime takes to run ``work`` (a handler and its batch scope) on every
    record of ``topic`` and commit it."""
    engine = create_engine(url, pool_size=settings.database.pool_size)
    producer = create_producer(settings.kafka.connection())
    await producer.start()
    state = {"committed": 0, "first": 0.0, "last": 0.0}
    done = asyncio.Event()
    handler, scope = work

    async def timed(event: OrderSubmitted, ctx: MessageContext) -> None:
        state["first"] = state["first"] or time.perf_counter()
        await handler(event, ctx)

    async def committed(event: OrderSubmitted, ctx: EffectContext) -> None:
        state["last"] = time.perf_counter()
        state["committed"] += 1
        if state["committed"] >= count:
            done.set()

    group = f"bench-intake-{uuid.uuid4().hex[:8]}"
    consumer = Consumer(
        group, (topic,), {OrderSubmitted: timed}, {OrderSubmitted: committed}, scope
    )
    runtime = ConsumerRuntime(
        consumer,
        create_sessions(engine, DEFAULT_NAMESPACE),
        settings.kafka.connection(),
        producer,
        policy=RetryPolicy(),
    )
    stop = asyncio.Event()
    task = asyncio.create_task(runtime.run(stop))
    try:
        await asyncio.wait_for(done.wait(), timeout=900)
        stop.set()
        await task
        return state["last"] - state["first"]
    finally:
        stop.set()
        await asyncio.gather(task, return_exceptions=True)
        await producer.stop()
        await engine.dispose()


async def trivial(event: OrderSubmitted, ctx: MessageContext) -> None:
    """The baseline's handler: nothing beyond what the runtime does."""


async def main(submissions: int, partitions: int, repeat: int) -> dict[str, Any]:
    """Alternate baseline and intake rounds over fresh topics; the median ratio and rounds."""
    settings = get_settings()
    rounds = []
    async with fresh_database(settings) as url:
        source = await prepare(url, submissions * repeat)
        for _ in range(repeat):
            topic = f"bench.intake.{uuid.uuid4().hex[:8]}"
            await produce(settings, topic, source, submissions, partitions)
            baseline = submissions / await read_all(
                settings, url, topic, submissions, (trivial, None)
            )
            intake = submissions / await read_all(
                settings, url, topic, submissions, (take_submission, INTAKE_SCOPE)
            )
            rounds.append(
                {
                    "baseline_per_second": round(baseline),
                    "intake_per_second": round(intake),
                    "ratio": round(intake / baseline, 3),
                }
            )
    return {
        "submissions": submissions,
        "partitions": partitions,
        "baseline_per_second": round(statistics.median(r["baseline_per_second"] for r in rounds)),
        "intake_per_second": round(statistics.median(r["intake_per_second"] for r in rounds)),
        "ratio": round(statistics.median(r["ratio"] for r in rounds), 3),
        "aim": 0.3,
        "rounds": rounds,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--partitions", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    configure_logging("WARNING")  # on stderr: stdout carries the JSON document only
    print(
        json.dumps(
            asyncio.run(main(options.submissions, options.partitions, options.repeat)), indent=2
        )
    )
