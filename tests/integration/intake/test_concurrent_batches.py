"""Two intake consumers deciding batches at once on the real PostgreSQL and Kafka: the same
SKUs, lines in every order, more demand than stock. Nothing oversold, every submission one
reply, and no batch ever deadlocks (a deadlock would be waited out, not dead-lettered, so the
runtime's own count of them is what shows it)."""

from __future__ import annotations

import random
import uuid
from dataclasses import replace

from prometheus_client import REGISTRY
from sqlalchemy import text

from consumers.intake import intake_consumer
from consumers.runtime import Consumer, dead_letter_topic
from devtools.upstream.records import submission_record
from domains.identity import api as identity
from foundation.kafka import KafkaConnection
from tests.integration.consumers.support import RunningConsumer, create_topic, produce, topic_size
from tests.support.intake import Sessions, replies_for
from tests.support.polling import eventually
from tests.support.shop import new_product

SKUS, STOCK, SUBMISSIONS = 8, 20, 160


async def test_two_consumers_deciding_the_same_skus_never_oversell_or_deadlock(
    kafka: KafkaConnection, sessions: Sessions, unique: str
) -> None:
    topic = await create_topic(kafka, f"test.intake.{unique}", partitions=2)
    intake = replace(intake_consumer(group=f"test-intake-{unique}"), topics=(topic,))
    async with sessions() as session, session.begin():
        scopes = frozenset({identity.ORDERS_WRITE})
        client, _ = await identity.register_client(session, f"svc-{unique}", scopes)
    skus = [await new_product(sessions, stock=STOCK) for _ in range(SKUS)]
    shuffled = random.Random(7)
    records = [
        submission_record(client.client_id, _body(shuffled, skus), topic=topic)
        for _ in range(SUBMISSIONS)
    ]
    deadlocks_before = _deadlock_waits(intake)

    await produce(kafka, topic, *records)  # both partitions full before either consumer reads
    async with RunningConsumer(intake, sessions, kafka), RunningConsumer(intake, sessions, kafka):
        answered = await eventually(
            lambda: _replies(sessions, client.client_id, SUBMISSIONS), what="every reply"
        )

    assert len({r["external_reference"] for r in answered}) == SUBMISSIONS
    outcomes = {r.get("reason") or "accepted" for r in answered}
    assert outcomes == {"accepted", "out_of_stock"}, outcomes  # demand exceeds the stock
    for sku in skus:
        available, committed = await _stock(sessions, sku)
        assert available >= 0
        assert available + committed == STOCK, sku  # what orders hold is what stock lost
    assert _deadlock_waits(intake) == deadlocks_before
    assert await topic_size(kafka, dead_letter_topic(intake.name)) == 0


def _body(rng: random.Random, skus: list[str]) -> dict[str, object]:
    """One or two lines of the shared SKUs, in a random order: a batch then holds some SKUs
    and wants others, which deadlocked two batches taking them in record order."""
    chosen = rng.sample(skus, rng.randint(1, 2))
    return {
        "external_reference": f"ext-{uuid.uuid4().hex[:12]}",
        "customer_id": str(uuid.uuid4()),
        "currency": "EUR",
        "lines": [{"sku": sku, "quantity": rng.randint(1, 2)} for sku in chosen],
        "payment": {"method": "external", "reference": f"pay-{uuid.uuid4().hex[:8]}"},
    }


async def _replies(sessions: Sessions, client_id: uuid.UUID, count: int) -> list[dict[str, object]]:
    found = await replies_for(sessions, client_id)
    return found if len(found) >= count else []


async def _stock(sessions: Sessions, sku: str) -> tuple[int, int]:
    """The SKU's available stock, and the quantity the accepted orders' lines hold."""
    sql = text(
        "SELECT s.available, (SELECT coalesce(sum(l.quantity), 0) FROM orders.order_lines l "
        "JOIN orders.submissions m ON m.order_id = l.order_id WHERE l.sku = s.sku) AS held "
        "FROM catalog.stock_levels s WHERE s.sku = :sku"
    )
    async with sessions() as session:
        row = (await session.execute(sql, {"sku": sku})).one()
    return int(row.available), int(row.held)


def _deadlock_waits(consumer: Consumer) -> float:
    labels = {"group": consumer.name, "cause": "deadlock"}
    value = REGISTRY.get_sample_value("orderflow_consumer_infrastructure_waits_total", labels)
    return value or 0.0
