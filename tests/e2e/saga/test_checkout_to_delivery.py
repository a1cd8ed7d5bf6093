"""Checkout over HTTP → relay → Kafka → search, fulfillment and the orders saga → delivered.

The API, the fake payment provider and the fake carrier are served by uvicorn on free ports;
the relay, the consumer groups (unique names, starting at the topics' end) and delivery
tracking run as tasks in this event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from consumers.fulfillment import (
    CarrierConfig,
    HttpCarrier,
    fulfillment_consumer,
    run_delivery_tracking,
)
from consumers.orders_saga import orders_saga_consumer
from consumers.search import search_consumer
from devtools.fakes.carrier import Behaviour, CarrierState, create_carrier_app
from devtools.fakes.payment_provider import ProviderState, create_provider_app
from domains.payments import api as payments
from foundation.kafka import KafkaConnection
from orderflow.http import create_app
from orderflow.processes import run_relay
from orderflow.settings import Settings
from orderflow.topics import Topics
from orderflow.wiring.deployment import in_deployment
from tests.e2e.checkout.checks import order_status
from tests.integration.consumers.support import FAST, RunningConsumer
from tests.kafka_helpers import start_at_end
from tests.support.polling import eventually
from tests.support.processes import serving
from tests.support.shop import app_settings, cart, key, new_product, shopper_at

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
async def shop(
    settings: Settings,
    engine: AsyncEngine,
    sessions: Sessions,
    kafka: KafkaConnection,
    unique: str,
) -> AsyncIterator[str]:
    """Everything running; yields the API's base URL."""
    carrier_state = CarrierState(behaviour=Behaviour(deliver_after_seconds=1.0))
    async with contextlib.AsyncExitStack() as stack:
        provider = await stack.enter_async_context(serving(create_provider_app(ProviderState())))
        carrier = await stack.enter_async_context(serving(create_carrier_app(carrier_state)))
        api = await stack.enter_async_context(
            serving(create_app(engine, settings=app_settings(settings, provider)))
        )
        adapter = HttpCarrier(CarrierConfig(base_url=carrier))
        refunds = payments.PaymentProvider(payments.ProviderSettings(base_url=provider))
        stack.push_async_callback(refunds.aclose)
        groups = [
            in_deployment(settings, replace(search_consumer(), name=f"e2e-search-{unique}")),
            in_deployment(
                settings, replace(fulfillment_consumer(adapter), name=f"e2e-fulfillment-{unique}")
            ),
            in_deployment(
                settings, replace(orders_saga_consumer(refunds), name=f"e2e-orders-saga-{unique}")
            ),
        ]
        for group in groups:
            await start_at_end(kafka, group)
            await stack.enter_async_context(RunningConsumer(group, sessions, kafka, FAST))
        stop = asyncio.Event()
        jobs = asyncio.gather(
            run_relay(settings, Topics(settings, []), stop),
            run_delivery_tracking(sessions, adapter, stop, interval_seconds=0.3),
        )
        try:
            yield api
        finally:
            stop.set()
            await asyncio.wait_for(jobs, 30)


async def test_checkout_makes_product_and_order_searchable_and_the_order_is_delivered(
    shop: str, sessions: Sessions, settings: Settings, unique: str
) -> None:
    sku = await new_product(sessions, stock=5)
    async with shopper_at(shop, sessions, settings) as alice:
        response = await alice.client.post("/v1/checkout", json=cart(sku, 1), headers=key())
        assert response.status_code == 201, response.text
        order_id = response.json()["order_id"]

    async def reached(status: str) -> bool:
        return await order_status(sessions, order_id) == status

    await eventually(lambda: reached("shipped"), timeout=90, what="order shipped")
    await eventually(lambda: reached("delivered"), timeout=90, what="order delivered")

    async with shopper_at(shop, sessions, settings, "admin") as admin:

        async def searchable(kind: str, q: str, wanted: str) -> bool:
            found = await admin.client.get("/v1/search", params={"q": q, "kind": kind})
            return wanted in [item["id"] for item in found.json()["items"]]

        await eventually(lambda: searchable("order", order_id, order_id), what="order found")
        await eventually(lambda: searchable("order", sku, order_id), what="order found by SKU")
        await eventually(lambda: _product_found(shop, sku), what="product found")

        async def indexed_as_delivered() -> bool:
            found = await admin.client.get("/v1/search", params={"q": order_id, "kind": "order"})
            return [i["status"] for i in found.json()["items"]] == ["delivered"]

        await eventually(indexed_as_delivered, what="order indexed as delivered")


async def _product_found(base_url: str, sku: str) -> bool:
    async with httpx.AsyncClient(base_url=base_url) as anonymous:
        found = await anonymous.get("/v1/search", params={"q": sku})
    return any(item["sku"] == sku for item in found.json()["items"])
