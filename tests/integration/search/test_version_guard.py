"""Through the real runtime on Kafka: late or replayed events never overwrite newer state."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime import Consumer
from consumers.search import search_consumer
from events.schemas.orders import (
    OrderConfirmed,
    OrderFulfilling,
    OrderLine,
    OrderPlaced,
    OrderShipped,
)
from foundation.kafka import KafkaConnection
from tests.integration.consumers.support import RunningConsumer, create_topic, produce, scalar
from tests.integration.search.support import created, record, repriced, updated
from tests.support.polling import eventually

Sessions = async_sessionmaker[AsyncSession]


def _consumer(topic: str, unique: str) -> Consumer:
    """The search group, reading a private topic instead of the shared ones."""
    return replace(search_consumer(group=f"test-search-{unique}"), topics=(topic,))


async def test_a_stale_event_does_not_overwrite_newer_state(
    sessions: Sessions, kafka: KafkaConnection, unique: str
) -> None:
    product = uuid.uuid4()
    topic = await create_topic(kafka, f"test.search.product.{unique}")
    await produce(
        kafka,
        topic,
        record(created(product, "Blue mug", price=1000), 1),
        record(updated(product, f"Green{unique} mug"), 3),  # the newest name
        record(updated(product, f"Red{unique} mug"), 2),  # late: must not win
        record(repriced(product, 1500), 4),  # price group: applies
        record(repriced(product, 1200), 2),  # stale price: ignored
    )
    async with RunningConsumer(_consumer(topic, unique), sessions, kafka):
        sql = "SELECT price_version FROM search.products WHERE id = :id"
        await eventually(lambda: _equals(sessions, sql, 4, id=product), what="price v4 indexed")
        await eventually(lambda: _handled(sessions, f"test-search-{unique}", 5), what="all read")
    row = await _row(sessions, "products", product)
    assert (row["name"], row["price_minor"], row["version"]) == (f"Green{unique} mug", 1500, 4)
    assert await _matches(sessions, "products", f"green{unique}") == 1
    assert await _matches(sessions, "products", f"red{unique}") == 0


async def test_a_late_order_event_keeps_the_newest_status_and_fills_in_its_own_fields(
    sessions: Sessions, kafka: KafkaConnection, unique: str
) -> None:
    order = uuid.uuid4()
    shipment = uuid.uuid4()
    topic = await create_topic(kafka, f"test.search.order.{unique}")
    placed = OrderPlaced(
        order_id=order,
        customer_id=uuid.uuid4(),
        currency="EUR",
        lines=(OrderLine(sku=f"SKU-{unique}", quantity=1, unit_price_minor=500),),
        total_minor=500,
        placed_at=datetime.now(UTC),
    )
    await produce(
        kafka,
        topic,
        record(OrderShipped(order_id=order, shipment_id=shipment), 4),
        record(OrderFulfilling(order_id=order, shipment_id=shipment), 3),  # stale status
        record(placed, 1),  # late: its lines still fill in the order
        record(OrderConfirmed(order_id=order, payment_reference=f"auth{unique}", total_minor=5), 2),
    )
    async with RunningConsumer(_consumer(topic, unique), sessions, kafka):
        await eventually(lambda: _handled(sessions, f"test-search-{unique}", 4), what="all read")
    row = await _row(sessions, "orders", order)
    assert (row["status"], row["status_version"], row["version"]) == ("shipped", 4, 4)
    assert row["skus"] == f"SKU-{unique}"
    assert row["payment_reference"] == f"auth{unique}"
    assert await _matches(sessions, "orders", f"auth{unique}") == 1


async def _equals(sessions: Sessions, sql: str, expected: object, **params: object) -> bool:
    return bool(await scalar(sessions, sql, **params) == expected)


async def _handled(sessions: Sessions, group: str, count: int) -> bool:
    sql = "SELECT count(*) FROM messaging.inbox WHERE consumer = :g"
    return int(await scalar(sessions, sql, g=group)) >= count


async def _row(sessions: Sessions, table: str, row_id: uuid.UUID) -> dict[str, Any]:
    async with sessions() as session:
        result = await session.execute(
            text(f"SELECT * FROM search.{table} WHERE id = :id"),  # noqa: S608
            {"id": row_id},
        )
        return dict(result.mappings().one())


async def _matches(sessions: Sessions, table: str, words: str) -> int:
    config = "english" if table == "products" else "simple"
    sql = (
        f"SELECT count(*) FROM search.{table} "  # noqa: S608
        f"WHERE document @@ websearch_to_tsquery('{config}', :q)"
    )
    return int(await scalar(sessions, sql, q=words))
