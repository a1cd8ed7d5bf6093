"""The Kafka door on the real PostgreSQL and Kafka: ``OrderSubmitted`` records through the
intake consumer group, alone and mixed with HTTP retries of the same submission."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from typing import Any

import httpx
import pytest

from consumers.intake import intake_consumer
from consumers.runtime import Consumer, dead_letter_topic
from devtools.upstream.records import submission_record
from domains.identity import api as identity
from foundation.kafka import KafkaConnection
from tests.integration.consumers.support import (
    RunningConsumer,
    create_topic,
    headers_of,
    produce,
    read_all,
    topic_size,
)
from tests.support.intake import (
    KnownClients,
    Sessions,
    orders_with_sku,
    replies_for,
    reservations_with_sku,
    submission,
)
from tests.support.polling import eventually
from tests.support.shop import new_product


@pytest.fixture
async def intake(kafka: KafkaConnection, unique: str) -> Consumer:
    """The intake group on a topic and under a group name of this test's own."""
    topic = await create_topic(kafka, f"test.intake.{unique}", partitions=2)
    return replace(intake_consumer(group=f"test-intake-{unique}"), topics=(topic,))


async def registered(sessions: Sessions, *scopes: str) -> identity.ServiceClient:
    """A client in the registry, as ``orderflow clients create`` makes them."""
    async with sessions() as session, session.begin():
        wanted = frozenset(scopes or (identity.ORDERS_WRITE, identity.ORDERS_READ))
        client, _ = await identity.register_client(session, f"svc-{uuid.uuid4().hex[:8]}", wanted)
    return client


async def replies(
    sessions: Sessions, client: identity.ServiceClient, count: int
) -> list[dict[str, Any]]:
    """Wait for ``count`` replies to ``client`` and return them."""

    async def enough() -> list[dict[str, Any]]:
        found = await replies_for(sessions, client.client_id)
        return found if len(found) >= count else []

    return await eventually(enough, what=f"{count} replies")


async def test_one_submission_five_times_over_http_and_three_on_kafka_is_one_order(
    intake: Consumer,
    kafka: KafkaConnection,
    sessions: Sessions,
    api: httpx.AsyncClient,
    clients: KnownClients,
) -> None:
    client = await registered(sessions)
    auth = clients.add(client)
    sku = await new_product(sessions, stock=10)
    body = submission(sku, quantity=2)
    same_id = uuid.uuid4()
    records = [
        submission_record(client.client_id, body, ce_id=same_id, topic=intake.topics[0]),
        submission_record(client.client_id, body, ce_id=same_id, topic=intake.topics[0]),
        submission_record(client.client_id, body, topic=intake.topics[0]),  # a new ce_id
    ]
    keys = [str(uuid.uuid4()) for _ in range(3)]

    async with RunningConsumer(intake, sessions, kafka):
        await asyncio.gather(
            produce(kafka, intake.topics[0], *records),
            *(
                api.post("/v1/orders", json=body, headers={**auth, "Idempotency-Key": k})
                for k in (*keys, keys[0], keys[1])
            ),
        )
        await replies(sessions, client, 1)
        await eventually(lambda: _committed_all(kafka, intake, 3), what="every record consumed")

    assert await orders_with_sku(sessions, sku) == 1
    assert await reservations_with_sku(sessions, sku) == 1
    answered = await replies_for(sessions, client.client_id)
    assert [r["type"] for r in answered] == ["orders.OrderAccepted"]


async def test_two_clients_may_use_the_same_ce_id_and_each_gets_its_order(
    intake: Consumer, kafka: KafkaConnection, sessions: Sessions
) -> None:
    first, second = await registered(sessions), await registered(sessions)
    sku = await new_product(sessions, stock=10)
    topic, same_id = intake.topics[0], uuid.uuid4()  # CloudEvents ids are unique per source
    records = [
        submission_record(client.client_id, submission(sku), ce_id=same_id, topic=topic)
        for client in (first, second, first)  # the third: the first client's own duplicate
    ]

    await produce(kafka, topic, *records)
    async with RunningConsumer(intake, sessions, kafka):
        (to_first,) = await replies(sessions, first, 1)
        (to_second,) = await replies(sessions, second, 1)
        await eventually(lambda: _committed_all(kafka, intake, 3), what="every record consumed")

    assert {to_first["type"], to_second["type"]} == {"orders.OrderAccepted"}
    assert await orders_with_sku(sessions, sku) == 2
    assert len(await replies_for(sessions, first.client_id)) == 1


async def test_a_rejected_kafka_submission_is_answered_with_its_reason(
    intake: Consumer, kafka: KafkaConnection, sessions: Sessions
) -> None:
    client = await registered(sessions)
    scarce = await new_product(sessions, stock=1)
    cases = {
        "unknown_sku": submission("NO-SUCH-SKU"),
        "out_of_stock": submission(scarce, quantity=5),
        "unknown_currency": {**submission(scarce), "currency": "XYZ"},
    }
    topic = intake.topics[0]

    await produce(
        kafka, topic, *(submission_record(client.client_id, b, topic=topic) for b in cases.values())
    )
    async with RunningConsumer(intake, sessions, kafka):
        answered = await replies(sessions, client, 3)

    assert sorted(r["reason"] for r in answered) == sorted(cases)
    assert {r["channel"] for r in answered} == {"kafka"}
    assert await orders_with_sku(sessions, scarce) == 0
    assert await topic_size(kafka, dead_letter_topic(intake.name)) == 0


async def test_a_bad_record_from_a_known_source_is_answered_and_dead_lettered(
    intake: Consumer, kafka: KafkaConnection, sessions: Sessions
) -> None:
    client = await registered(sessions)
    topic = intake.topics[0]
    broken = {"external_reference": "bad-1", "currency": "EUR", "lines": []}

    await produce(kafka, topic, submission_record(client.client_id, broken, topic=topic))
    async with RunningConsumer(intake, sessions, kafka):
        (reply,) = await replies(sessions, client, 1)
        (dead,) = await read_all(kafka, dead_letter_topic(intake.name), 1)

    assert (reply["type"], reply["reason"]) == ("orders.OrderRejected", "invalid_payload")
    assert reply["external_reference"] == "bad-1"
    assert "invalid_payload" in headers_of(dead)["x-exception-message"]


async def test_an_unknown_or_unauthorized_source_gets_a_dead_letter(
    intake: Consumer, kafka: KafkaConnection, sessions: Sessions
) -> None:
    reader = await registered(sessions, identity.ORDERS_READ)
    stranger = uuid.uuid4()
    sku = await new_product(sessions, stock=5)
    topic = intake.topics[0]
    records = [
        submission_record(stranger, submission(sku), topic=topic),
        submission_record("not-a-client", submission(sku), topic=topic),
        submission_record(reader.client_id, submission(sku), topic=topic),
    ]

    await produce(kafka, topic, *records)
    async with RunningConsumer(intake, sessions, kafka):
        dead = await read_all(kafka, dead_letter_topic(intake.name), 3)
        (reply,) = await replies(sessions, reader, 1)

    reasons = [headers_of(d)["x-exception-message"] for d in dead]
    assert all("unauthorized_source" in r for r in reasons), reasons
    assert await replies_for(sessions, stranger) == []
    assert reply["reason"] == "unauthorized_source"
    assert await orders_with_sku(sessions, sku) == 0


async def _committed_all(kafka: KafkaConnection, consumer: Consumer, count: int) -> bool:
    from tests.integration.consumers.support import committed  # noqa: PLC0415

    topic = consumer.topics[0]
    done = [await committed(kafka, consumer.name, topic, p) for p in (0, 1)]
    return sum(done) >= count
