"""Cancelling an order an upstream service submitted, on the real pair (relay, Kafka, the
fulfillment and orders-saga consumers): paid upstream, the saga stops the shipment and cancels
without asking our provider for a refund; the upstream hears it on its reply topic."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime import dead_letter_topic
from domains.identity import api as identity
from domains.orders import api as orders
from domains.payments import api as payments
from foundation.kafka import KafkaConnection
from tests.integration.consumers.support import read_all, topic_size
from tests.integration.saga.endings import ending_of
from tests.integration.saga.orders import cancel, status_of
from tests.integration.saga.support import Saga
from tests.support.polling import eventually
from tests.support.shop import available, new_product

Sessions = async_sessionmaker[AsyncSession]
STOCK, QUANTITY = 5, 2


async def test_an_order_paid_upstream_is_cancelled_without_a_refund_by_us(
    sessions: Sessions, saga: Saga, kafka: KafkaConnection
) -> None:
    sku = await new_product(sessions, stock=STOCK)
    client = _client()
    order_id = await _submit(sessions, client, sku, payment_reference="pos-payment-77")
    provider_calls = saga.provider.state.calls

    assert await cancel(sessions, order_id) == "cancellation_requested"
    await eventually(lambda: _cancelled(sessions, order_id), timeout=60, what="cancelled")

    ending = await ending_of(sessions, saga.carrier.state, order_id, sku)
    assert (ending.refunds, ending.available) == (0, STOCK), ending
    assert all(parcel == "voided" for parcel in ending.parcels), ending  # a label booked first
    assert saga.provider.state.calls == provider_calls  # not a refund, not anything
    async with sessions() as session:
        paid = await payments.find_external_payment(session, order_id)
    assert paid is not None
    assert paid.reference == "pos-payment-77"
    (cancelled,) = await _payloads(sessions, "orders.OrderCancelled", order_id)
    assert (cancelled["was_paid"], cancelled["paid_upstream"]) == (True, True)  # for the e-mail
    (reply,) = await _cancellations(sessions, client.client_id)
    assert (reply["order_id"], reply["refund"]) == (str(order_id), "upstream")
    assert await _dead_letters_of(kafka, saga.orders_saga.consumer.name, order_id) == []
    assert await _dead_letters_of(kafka, saga.fulfillment_group, order_id) == []


async def _dead_letters_of(kafka: KafkaConnection, group: str, order_id: uuid.UUID) -> list[str]:
    """The dead letters of ``group`` about ``order_id`` (their topic, partition and offset).

    Not the topic's size: earlier tests of the session leave events of orders that exist
    nowhere (shipments made for random order ids, delivered by tracking), which the relay
    publishes during this test and the orders saga dead-letters, rightly.
    """
    topic = dead_letter_topic(group)
    size = await topic_size(kafka, topic)
    records = await read_all(kafka, topic, size) if size else []
    about = str(order_id).encode()
    return [
        f"{r.topic}[{r.partition}]@{r.offset}"
        for r in records
        if about in (r.key or b"") or about in (r.value or b"")
    ]


async def test_an_unpaid_submitted_order_is_cancelled_with_its_stock_released(
    sessions: Sessions,
) -> None:
    sku = await new_product(sessions, stock=STOCK)
    client = _client()
    order_id = await _submit(sessions, client, sku, payment_reference=None)
    assert await available(sessions, sku) == STOCK - QUANTITY

    assert await cancel(sessions, order_id) == "cancelled"

    assert await available(sessions, sku) == STOCK
    (cancelled,) = await _payloads(sessions, "orders.OrderCancelled", order_id)
    assert (cancelled["was_paid"], cancelled["paid_upstream"]) == (False, False)
    (reply,) = await _cancellations(sessions, client.client_id)
    assert (reply["order_id"], reply["refund"]) == (str(order_id), "none")


def _client() -> identity.ServiceClient:
    return identity.ServiceClient(uuid.uuid4(), "pos-test", frozenset({identity.ORDERS_WRITE}))


async def _submit(
    sessions: Sessions, client: identity.ServiceClient, sku: str, *, payment_reference: str | None
) -> uuid.UUID:
    """The place-order command both intake doors run."""
    command = orders.SubmitOrder(
        client=client,
        external_reference=f"ext-{uuid.uuid4().hex[:10]}",
        customer_id=uuid.uuid4(),
        currency="EUR",
        lines=(orders.SubmittedLine(sku, QUANTITY),),
        channel=orders.Channel.HTTP,
        payment_reference=payment_reference,
    )
    async with sessions.begin() as session:
        result = await orders.submit_in(session, command)
    assert result.order_id is not None, result
    return result.order_id


async def _cancelled(sessions: Sessions, order_id: uuid.UUID) -> bool:
    return await status_of(sessions, order_id) == "cancelled"


async def _cancellations(sessions: Sessions, client_id: uuid.UUID) -> list[dict[str, Any]]:
    return await _payloads(sessions, "orders.SubmittedOrderCancelled", client_id)


async def _payloads(sessions: Sessions, event_type: str, key: uuid.UUID) -> list[dict[str, Any]]:
    sql = text(
        "SELECT payload FROM outbox.events WHERE key = :key "
        "AND event_type = :event_type ORDER BY id"
    )
    async with sessions() as session:
        rows = await session.execute(sql, {"key": str(key), "event_type": event_type})
    return [json.loads(row.payload) for row in rows]
