"""Gather the evidence of a scenario from PostgreSQL, the broker, the SMTP sink and the carrier."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiokafka.admin import AIOKafkaAdminClient

import events.schemas  # noqa: F401  (registers every event)
from consumers.runtime.topics import retry_topics
from events import registry
from foundation.kafka import KafkaConnection
from orderflow.settings import Settings
from orderflow.settings.processes import ConsumerSettings
from orderflow.wiring.deployment import deployed_consumers
from tests.faults.deployment import GROUP_PREFIX, RETRY_DELAYS, Deployment
from tests.faults.evidence import Evidence, Group, OutboxRow, Parcel
from tests.faults.kafka_reading import as_record, read_all, topic_names
from tests.faults.pair import Pair

OUTBOX = """
    SELECT e.event_id::text, e.topic, e.key, e.event_type, e.aggregate_version,
           p.id IS NULL AND k.id IS NULL AS published, k.id IS NOT NULL AS parked
    FROM outbox.events AS e
    LEFT JOIN outbox.pending AS p ON p.lane = e.lane AND p.id = e.id
    LEFT JOIN outbox.parked AS k ON k.id = e.id
    ORDER BY e.id
"""
REFUNDS = """
    SELECT i.order_id::text AS order_id, count(*) AS n
    FROM payments.refunds r JOIN payments.intents i ON i.id = r.intent_id GROUP BY 1
"""
IN_PROGRESS = """
    SELECT customer_id::text, idempotency_key, order_id::text, created_at
    FROM orders.checkout_requests WHERE status = 'in_progress'
"""
SENDER = "notifications"  # the process that sends email in a split deployment
QUARANTINE_TABLES = """
    SELECT table_schema || '.' || table_name FROM information_schema.tables
    WHERE table_name ILIKE '%quarantin%'
"""


def deployed_groups() -> list[Group]:
    """The consumer groups of the deployment: their topics and handled event types."""
    consumers = ConsumerSettings(group_prefix=GROUP_PREFIX, retry_delays_seconds=RETRY_DELAYS)
    return [
        Group(
            name=consumer.name,
            topics=frozenset(consumer.topics),
            handles=frozenset(registry.spec_for(t).event_type for t in consumer.handlers),
        )
        for consumer in deployed_consumers(Settings(consumers=consumers)).values()
    ]


def group_topics(group: Group) -> set[str]:
    """Everything ``group`` reads: its main topics and its retry tiers."""
    return set(group.topics) | set(retry_topics(group.name, len(RETRY_DELAYS)))


async def collect(dsn: str, kafka: KafkaConnection, deployment: Deployment) -> Evidence:
    """Everything the invariants need, read once the deployment is quiet."""
    evidence = Evidence(groups=deployed_groups(), exits=deployment.exits)
    # Committed offsets before the inbox: a record committed by then has its inbox row by the
    # time the database is read, even if the deployment is still moving.
    evidence.committed = await committed_offsets(kafka, [g.name for g in evidence.groups])
    await _from_database(dsn, evidence)
    await _from_kafka(kafka, evidence)
    async with httpx.AsyncClient(timeout=30) as client:
        messages = (await client.get(f"{deployment.sink_url}/messages")).json()["messages"]
        parcels = (await client.get(f"{deployment.carrier_url}/v1/parcels")).json()["parcels"]
    evidence.emails = Counter(m["message_id"] for m in messages)
    for message in messages:
        arrived = datetime.fromisoformat(message["received_at"])
        evidence.email_arrivals.setdefault(message["message_id"], []).append(arrived)
    sender = deployment.consumers.get(SENDER)
    evidence.sender_kills = list(sender.killed_at) if sender else []
    by_order: defaultdict[str, list[Parcel]] = defaultdict(list)
    for parcel in parcels:
        by_order[parcel["order_id"]].append(Parcel(parcel["reference"], parcel["status"]))
    evidence.parcels = dict(by_order)
    return evidence


async def post_mortem(pair: Pair, deployment: Deployment, folder: Path) -> None:
    """Keep what explains a failure next to the logs: a dump of the database
    (``orderflow.dump``, read it with ``pg_restore``) and every process's metrics."""
    await pair.postgres.dump(folder / "orderflow.dump")
    await deployment.scrape_metrics(folder)


async def _from_database(dsn: str, e: Evidence) -> None:
    db = await asyncpg.connect(dsn)
    try:
        e.outbox = [OutboxRow(**dict(row)) for row in await db.fetch(OUTBOX)]
        e.orders = await _pairs(db, "SELECT id::text, status FROM orders.orders")
        e.search = await _pairs(db, "SELECT id::text, status FROM search.orders")
        e.shipments = await _pairs(db, "SELECT order_id::text, status FROM fulfillment.shipments")
        e.refunds = Counter({row["order_id"]: row["n"] for row in await db.fetch(REFUNDS)})
        inbox = await db.fetch("SELECT consumer, event_id::text FROM messaging.inbox")
        e.inbox = {(row[0], row[1]) for row in inbox}
        e.keys_in_progress = [_in_progress(row) for row in await db.fetch(IN_PROGRESS)]
        e.quarantined = await _quarantined(db)
    finally:
        await db.close()


async def _pairs(db: Any, query: str) -> dict[str, str]:
    return {row[0]: row[1] for row in await db.fetch(query)}


def _in_progress(row: Any) -> str:
    return f"customer {row[0]} key {row[1]} (order {row[2]}) in_progress since {row[3]:%H:%M:%S}"


async def _quarantined(db: Any) -> list[str]:
    """Rows of any quarantine table (the runtime's last resort for unwritable dead letters)."""
    found = []
    for table in [row[0] for row in await db.fetch(QUARANTINE_TABLES)]:
        rows = await db.fetch(f"SELECT * FROM {table}")  # noqa: S608 - names from the catalog
        found += [f"{table}: {dict(row)}"[:400] for row in rows]
    return found


async def _from_kafka(kafka: KafkaConnection, e: Evidence) -> None:
    names = await topic_names(kafka)
    event_topics = registry.topics() & names
    dead_letter_topics = {t for t in names if t.endswith(".dlq")}
    retry_tiers = {t for g in e.groups for t in group_topics(g) - g.topics} & names
    e.records = [as_record(r) for r in await read_all(kafka, event_topics)]
    e.dead_letters = [as_record(r) for r in await read_all(kafka, dead_letter_topics)]
    e.retries = [as_record(r) for r in await read_all(kafka, retry_tiers)]


async def committed_offsets(
    kafka: KafkaConnection, groups: list[str]
) -> dict[tuple[str, str, int], int]:
    """(group, topic, partition) → the group's committed offset."""
    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        found = {}
        for group in groups:
            offsets = await admin.list_consumer_group_offsets(group)
            found.update({(group, tp.topic, tp.partition): at.offset for tp, at in offsets.items()})
        return found
    finally:
        await admin.close()
