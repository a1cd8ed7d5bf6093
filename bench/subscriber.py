"""The subscriber kit on FastStream against a plain FastStream subscriber, same topic, same run.

    python -m bench.subscriber --records 20000 --repeat 3 [--ack-policy nack_on_error]

Pre-produces ``--records`` records exactly as orderflow publishes them (OrderPlaced v2 with one
in ten a v1 record to upcast, and OrderConfirmed, alternating) to a fresh topic, then reads
them all, each reader in its own fresh consumer group:

(a) plain: ``@broker.subscriber(topic)`` whose handler takes ``body: dict[str, Any]``:
    FastStream's default decoder ``json.loads`` the value, nothing else;
(b) kit: ``EventRouter`` handlers taking the typed event and ``Metadata``: CloudEvents headers
    parsed, the payload validated into its pydantic model, v1 records upcast to v2, every
    record routed to its handler by type.

Both use the same FastStream ack policy (default ``ack_first``, auto-commit, so the figure is
the kit's own cost; ``nack_on_error``, the kit's default, commits after every record and
shows what a safe subscriber pays in total). Rates are records per second from the first
record handled to the last (group join excluded), and CPU time of this process per record
(steadier on a shared machine). Readers alternate ``--repeat`` times, each going first in
every other round; the median ratios are reported with every round. Prints one JSON document.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from faststream import AckPolicy
from faststream.kafka import KafkaBroker

from orderflow_events import OrderConfirmed, OrderLine, OrderPlaced, OrderPlacedV1, encode
from orderflow_events.base import Event
from orderflow_events.faststream import EventRouter, Metadata

TOPIC = "orders.order.v1"


def _event(i: int) -> Event:
    order = uuid.uuid4()
    if i % 2:
        return OrderConfirmed(order_id=order, payment_reference=f"auth_{i}", total_minor=999)
    fields: dict[str, Any] = {
        "order_id": order,
        "customer_id": uuid.uuid4(),
        "currency": "EUR",
        "lines": (OrderLine(sku="SKU-1", quantity=1, unit_price_minor=999),),
        "total_minor": 999,
        "placed_at": datetime.now(UTC),
    }
    return OrderPlacedV1(**fields) if i % 20 == 0 else OrderPlaced(**fields, channel="web")


async def _produce(servers: str, topic_prefix: str, count: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=servers)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic_prefix + TOPIC, 3, 1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=servers, linger_ms=5, acks="all")
    await producer.start()
    try:
        sends = []
        for i in range(count):
            record = encode(_event(i), topic_prefix=topic_prefix)
            sends.append(
                await producer.send(
                    record.topic, record.value, key=record.key, headers=record.header_list()
                )
            )
        await asyncio.gather(*sends)
    finally:
        await producer.stop()


class Clock:
    """First-handled to last-handled time of one reader."""

    def __init__(self, count: int) -> None:
        self.count, self.seen, self.first, self.first_cpu = count, 0, 0.0, 0.0
        self.done = asyncio.Event()

    def tick(self) -> None:
        if self.seen == 0:
            self.first, self.first_cpu = time.perf_counter(), time.process_time()
        self.seen += 1
        if self.seen == self.count:
            self.rate = self.count / (time.perf_counter() - self.first)
            # CPU time of this process per record: steadier than the rate on a shared machine.
            self.cpu_us = (time.process_time() - self.first_cpu) / self.count * 1e6
            self.done.set()


def _plain(broker: KafkaBroker, topic: str, clock: Clock, policy: AckPolicy) -> None:
    @broker.subscriber(
        topic,
        group_id=f"bench-plain-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        ack_policy=policy,
    )
    async def plain(body: dict[str, Any]) -> None:
        clock.tick()


def _kit(broker: KafkaBroker, prefix: str, clock: Clock, policy: AckPolicy) -> None:
    router = EventRouter(group_id=f"bench-kit-{uuid.uuid4().hex}", prefix=prefix, ack_policy=policy)

    @router.subscriber(OrderPlaced)
    async def placed(event: OrderPlaced, meta: Metadata) -> None:
        clock.tick()

    @router.subscriber(OrderConfirmed)
    async def confirmed(event: OrderConfirmed, meta: Metadata) -> None:
        clock.tick()

    broker.include_router(router.kafka)


async def _read(
    servers: str, prefix: str, count: int, kind: str, policy: AckPolicy
) -> tuple[float, float]:
    broker = KafkaBroker(servers, logger=None)
    clock = Clock(count)
    if kind == "plain":
        _plain(broker, prefix + TOPIC, clock, policy)
    else:
        _kit(broker, prefix, clock, policy)
    await broker.start()
    try:
        await asyncio.wait_for(clock.done.wait(), timeout=600)
    finally:
        await broker.stop()
    return float(clock.rate), float(clock.cpu_us)


async def main(records: int, repeat: int, policy: AckPolicy) -> dict[str, Any]:
    servers = os.environ.get("ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    prefix = f"bench-{uuid.uuid4().hex[:8]}."
    await _produce(servers, prefix, records)
    rounds = []
    for round_ in range(repeat):
        # Alternate who goes first: the second reader of a round finds warmer caches.
        if round_ % 2:
            kit, kit_cpu = await _read(servers, prefix, records, "kit", policy)
            plain, plain_cpu = await _read(servers, prefix, records, "plain", policy)
        else:
            plain, plain_cpu = await _read(servers, prefix, records, "plain", policy)
            kit, kit_cpu = await _read(servers, prefix, records, "kit", policy)
        rounds.append(
            {
                "plain_per_s": round(plain),
                "kit_per_s": round(kit),
                "ratio": round(kit / plain, 3),
                "plain_cpu_us_per_record": round(plain_cpu, 1),
                "kit_cpu_us_per_record": round(kit_cpu, 1),
                "cpu_ratio": round(plain_cpu / kit_cpu, 3),
            }
        )
    admin = AIOKafkaAdminClient(bootstrap_servers=servers)
    await admin.start()
    try:
        await admin.delete_topics([prefix + TOPIC])
    finally:
        await admin.close()
    return {
        "benchmark": "subscriber",
        "records": records,
        "ack_policy": policy.value,
        "baseline": "plain FastStream subscriber, default decoder (json.loads) into dict",
        "rounds": rounds,
        "median_ratio": statistics.median(r["ratio"] for r in rounds),
        "median_cpu_ratio": statistics.median(r["cpu_ratio"] for r in rounds),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--ack-policy", default="ack_first", choices=["ack_first", "nack_on_error"])
    args = parser.parse_args()
    result = asyncio.run(main(args.records, args.repeat, AckPolicy(args.ack_policy)))
    print(json.dumps(result, indent=2))
