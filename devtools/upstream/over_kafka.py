"""The simulator's Kafka door: ``OrderSubmitted`` records on the intake topic."""

from __future__ import annotations

import uuid

from devtools.upstream.plan import Planner, Send
from devtools.upstream.records import submission_record
from devtools.upstream.simulator import Report, note, paced
from events.schemas.orders.submitted import TOPIC
from foundation.kafka import KafkaConnection
from producers.producer import create_producer


async def simulate_over_kafka(
    connection: KafkaConnection,
    source: uuid.UUID,
    planner: Planner,
    *,
    count: int,
    rate: float,
    topic: str = TOPIC,
) -> Report:
    """Write ``count`` records from client ``source`` at ``rate`` per second."""
    report = Report(over="kafka")
    ce_ids: dict[str, uuid.UUID] = {}
    producer = create_producer(connection)  # idempotent, acks=all: the broker's retries are safe
    await producer.start()

    async def send(sending: Send) -> None:
        ce_id = note(report, sending, ce_ids)
        record = submission_record(source, sending.body, ce_id=ce_id, topic=topic)
        await producer.send(record.topic, record.value, key=record.key, headers=record.headers)

    try:
        report.seconds = await paced(planner, count, rate, send)
        await producer.flush()
    finally:
        await producer.stop()
    return report
