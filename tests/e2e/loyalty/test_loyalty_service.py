"""The loyalty example, as a process, on the real topic, fed by the real relay from real checkouts.

Checkouts over HTTP → outbox → ``orderflow relay`` (a process) → Kafka → ``python -m loyalty``.
Along the way: an ``OrderPlaced`` v1 record (it must arrive upcast), every event of one order
republished through the relay (duplicates, same event ids) and a record that is no event at
all (it must land in loyalty's own dead letters). Points must come out exact, nothing lost.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from devtools.fakes.payment_provider import ProviderState
from domains.orders import api as orders_api
from domains.payments import api as payments
from events import new_envelope
from events.schemas import OrderLine, OrderPlacedV1
from events.schemas.orders import OrderConfirmed
from foundation.kafka import KafkaConnection
from orderflow.settings import Settings
from outbox import append_envelope
from outbox.republish import RepublishFilter, requeue_published
from tests.e2e.loyalty.support import (
    delete_topic,
    loyalty_process,
    start_group_at_end,
    wait_caught_up,
    wait_published,
)
from tests.kafka_helpers import end_offsets, read_from
from tests.support.processes import free_port, orderflow_process
from tests.support.shop import Shopper, cart, key, new_product, shopper_at

Sessions = async_sessionmaker[AsyncSession]


async def test_loyalty_awards_and_takes_back_points_exactly_once(
    settings: Settings,
    kafka: KafkaConnection,
    sessions: Sessions,
    engine: AsyncEngine,
    api: str,
    admin: Shopper,
    provider: tuple[ProviderState, str],
    unique: str,
    tmp_path: Path,
) -> None:
    # The loyalty service subscribes in this deployment's namespace (the test session's).
    prefix = settings.deployment.topic_prefix
    topic = settings.deployment.namespace().topic("orders.order.v1")
    group = f"{prefix}loyalty-{unique}"
    env = {
        "ORDERFLOW_DATABASE_URL": settings.database.url,
        "ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "ORDERFLOW_TOPIC_PREFIX": prefix,
        "ORDERFLOW_RELAY_POLL_INTERVAL_SECONDS": "0.2",
    }
    loyalty_env = {
        "LOYALTY_KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "LOYALTY_DATABASE_URL": settings.database.url,
        "LOYALTY_GROUP_ID": group,
        "LOYALTY_TOPIC_PREFIX": prefix,
    }
    await start_group_at_end(kafka, group, topic)
    relay_port = free_port()
    relay_args = ["relay", "--metrics-port", str(relay_port)]
    with (
        orderflow_process(relay_args, env, tmp_path / "relay.log", relay_port, health="/metrics"),
        loyalty_process(loyalty_env, tmp_path / "loyalty.log") as loyalty,
    ):
        customers, orders = await _shop(api, admin, sessions, settings, provider[1])
        legacy_customer, legacy_order = await _legacy_v1_order(sessions, settings)
        garbage = f"garbage-{unique}".encode()
        await _produce_garbage(kafka, topic, garbage)
        await wait_published(sessions, [*orders, legacy_order])

        # What `orderflow outbox republish --aggregate` does: the same events, the same ids, again.
        assert await requeue_published(engine, RepublishFilter(aggregate=orders[0])) >= 2
        await wait_published(sessions, [orders[0]])
        await wait_caught_up(kafka, group, await end_offsets(kafka, topic))
        loyalty.terminate()
        assert loyalty.wait(timeout=30) == 0

    balances = await _balances(sessions, [*customers, legacy_customer])
    assert balances == [25, 0, 0, 40]  # alice kept 25, bob refunded, carol cancelled, v1 order
    assert await _entries(sessions, orders[0]) == [("award", 25)]  # republished: not twice
    assert await _entries(sessions, orders[1]) == [("award", 12), ("take_back", -12)]
    try:
        (dead,) = await _dead_letters(kafka, f"{group}.dlq", garbage)
    finally:
        await delete_topic(kafka, f"{group}.dlq")
    headers = {name: value.decode() for name, value in dead.headers}
    assert headers["x-exception-reason"] == "cannot_decode"
    assert headers["x-original-topic"] == topic
    assert headers["x-original-consumer-group"] == group


async def _shop(
    api: str, admin: Shopper, sessions: Sessions, settings: Settings, provider_url: str
) -> tuple[list[uuid.UUID], list[str]]:
    """Alice keeps her order, bob's is refunded once shipped, carol cancels hers before."""
    customers, orders = [], []
    for quantity in (2, 1, 1):
        async with shopper_at(api, sessions, settings) as shopper:
            sku = await new_product(sessions, stock=3)
            response = await shopper.client.post(
                "/v1/checkout", json=cart(sku, quantity), headers=key()
            )
            assert response.status_code == 201, response.text
            customers.append(shopper.user_id)
            orders.append(str(response.json()["order_id"]))
            if len(orders) == 3:
                cancelled = await shopper.client.post(f"/v1/orders/{orders[2]}/cancel")
                assert cancelled.status_code == 202, cancelled.text
    await _saga_steps(sessions, provider_url, shipped=orders[1], cancelled=orders[2])
    body = {"reason": "damaged in transit"}
    refunded = await admin.client.post(f"/v1/admin/orders/{orders[1]}/refund", json=body)
    assert refunded.status_code == 200, refunded.text
    return customers, orders


async def _saga_steps(
    sessions: Sessions, provider_url: str, *, shipped: str, cancelled: str
) -> None:
    """What the fulfillment saga (not running here) does: ship one order; stop the other's
    parcel, after which the orders saga refunds and cancels it (``OrderCancelled``)."""
    async with sessions.begin() as session:
        await orders_api.follow_shipment(
            session, uuid.UUID(shipped), uuid.uuid4(), orders_api.OrderStatus.SHIPPED
        )
    provider = payments.PaymentProvider(payments.ProviderSettings(base_url=provider_url))
    try:
        uow = partial(orders_api.OrdersUnitOfWork, sessions)
        assert await orders_api.complete_cancellation(uuid.UUID(cancelled), uow, provider)
    finally:
        await provider.aclose()


async def _legacy_v1_order(sessions: Sessions, settings: Settings) -> tuple[uuid.UUID, str]:
    """An order whose OrderPlaced is a v1 record (as written before v2 existed)."""
    customer, order = uuid.uuid4(), uuid.uuid4()
    placed = OrderPlacedV1(
        order_id=order,
        customer_id=customer,
        currency="EUR",
        lines=(OrderLine(sku="OLD-1", quantity=1, unit_price_minor=4000),),
        total_minor=4000,
        placed_at=datetime.now(UTC),
    )
    confirmed = OrderConfirmed(order_id=order, payment_reference="auth_old", total_minor=4000)
    namespace = settings.deployment.namespace()
    async with sessions.begin() as session:
        await append_envelope(
            session,
            new_envelope(placed, aggregate_version=1, namespace=namespace),
            new_envelope(confirmed, aggregate_version=2, namespace=namespace),
        )
    return customer, str(order)


async def _produce_garbage(kafka: KafkaConnection, topic: str, key: bytes) -> None:
    producer = AIOKafkaProducer(**kafka.client_options())
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"\x00 not an orderflow event", key=key)
    finally:
        await producer.stop()


async def _balances(sessions: Sessions, customers: list[uuid.UUID]) -> list[int]:
    query = text(
        "SELECT coalesce(sum(points), 0) FROM loyalty.point_entries WHERE customer_id = :c"
    )
    async with sessions() as session:
        return [int((await session.scalar(query, {"c": c})) or 0) for c in customers]


async def _entries(sessions: Sessions, order_id: str) -> list[tuple[str, int]]:
    query = text(
        "SELECT kind, points FROM loyalty.point_entries WHERE order_id = :o ORDER BY created_at"
    )
    async with sessions() as session:
        rows = (await session.execute(query, {"o": uuid.UUID(order_id)})).all()
    return [(row.kind, row.points) for row in rows]


async def _dead_letters(
    kafka: KafkaConnection, topic: str, key: bytes
) -> list[ConsumerRecord[bytes, bytes]]:
    start = dict.fromkeys(await end_offsets(kafka, topic), 0)
    records = await asyncio.wait_for(
        read_from(kafka, start, lambda rs: any(r.key == key for r in rs)), 30
    )
    return [r for r in records if r.key == key]
