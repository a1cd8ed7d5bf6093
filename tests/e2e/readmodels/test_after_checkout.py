"""Checkouts, a cancellation and a refund over HTTP → relay → Kafka → analytics and
recommendations, read back over HTTP; a full replay and a rebuild change nothing.

The API, the fake provider and the fake carrier are served by uvicorn on free ports; the relay,
delivery tracking and the groups (fulfillment and the orders saga, so that a cancellation and a
refund really happen; analytics and recommendations) run as tasks in this event loop. Product
SKUs are this test's own, so figures of other tests in the same database do not count.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from consumers.analytics import analytics_consumer
from consumers.analytics.rebuild import rebuild_analytics
from consumers.fulfillment import (
    CarrierConfig,
    HttpCarrier,
    fulfillment_consumer,
    run_delivery_tracking,
)
from consumers.orders_saga import orders_saga_consumer
from consumers.recommendations import recommendations_consumer
from consumers.runtime import Consumer
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
from tests.kafka_helpers import caught_up, start_at_end
from tests.support.polling import eventually
from tests.support.processes import serving
from tests.support.shop import Shopper, app_settings, cart, key, new_product, shopper_at

Sessions = async_sessionmaker[AsyncSession]


@dataclass(frozen=True)
class Shop:
    """The running shop: API and carrier addresses, and the read-model groups."""

    api: str
    carrier: str
    analytics: Consumer
    recommendations: Consumer


@pytest.fixture
async def shop(
    settings: Settings, engine: AsyncEngine, sessions: Sessions, kafka: KafkaConnection, unique: str
) -> AsyncIterator[Shop]:
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
        # In the session's namespace: its groups read the topics the relay publishes to.
        analytics = in_deployment(settings, analytics_consumer(group=f"e2e-analytics-{unique}"))
        recommendations = in_deployment(
            settings, recommendations_consumer(group=f"e2e-recommendations-{unique}")
        )
        groups = [
            in_deployment(
                settings, replace(fulfillment_consumer(adapter), name=f"e2e-fulfillment-{unique}")
            ),
            in_deployment(
                settings, replace(orders_saga_consumer(refunds), name=f"e2e-orders-saga-{unique}")
            ),
            analytics,
            recommendations,
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
            yield Shop(api, carrier, analytics, recommendations)
        finally:
            stop.set()
            await asyncio.wait_for(jobs, 30)


async def _checkout(shopper: Shopper, *skus: str, token: str = "tok_visa") -> str:  # noqa: S107
    body = cart(skus[0], 1, token)
    body["items"] = [{"sku": sku, "quantity": 1} for sku in skus]
    response = await shopper.client.post("/v1/checkout", json=body, headers=key())
    assert response.status_code in (201, 402), response.text
    return str(response.json()["order_id"])


async def _figures(admin: Shopper, skus: set[str]) -> dict[str, Any]:
    """This test's products in the top products, and what is bought with the first of them."""
    products = await admin.client.get("/v1/admin/analytics", params={"top": 100})
    assert products.status_code == 200, products.text
    mine = [p for p in products.json()["top_products"] if p["sku"] in skus]
    recommended = await admin.client.get(f"/v1/products/{min(skus)}/recommendations")
    return {"top_products": mine, "recommendations": recommended.json()}


@pytest.mark.timeout(240)
async def test_orders_cancellations_and_refunds_reach_analytics_and_recommendations(
    shop: Shop, sessions: Sessions, settings: Settings, kafka: KafkaConnection, unique: str
) -> None:
    mug, plate, bowl = sorted([await new_product(sessions, stock=20) for _ in range(3)])
    # A second pair of groups, committed at the end now and started after the story: they
    # replay every event of it into the same tables, past the first groups' inbox rows.
    replays = [
        replace(shop.analytics, name=f"e2e-analytics-replay-{unique}"),
        replace(shop.recommendations, name=f"e2e-recommendations-replay-{unique}"),
    ]
    for group in replays:
        await start_at_end(kafka, group)

    async with (
        shopper_at(shop.api, sessions, settings) as ada,
        shopper_at(shop.api, sessions, settings, "admin") as admin,
    ):
        await _checkout(ada, mug, plate)  # kept: the one order that counts
        await _checkout(ada, mug, token="tok_decline")
        refunded = await _checkout(ada, mug, bowl)
        # The carrier books slowly, so the cancellation stops the parcel before it leaves.
        async with httpx.AsyncClient(base_url=shop.carrier) as carrier:
            await carrier.put("/_control", json={"latency_ms": 3000})
            cancelled = await _checkout(ada, mug, plate)
            answer = await ada.client.post(f"/v1/orders/{cancelled}/cancel")
            assert answer.status_code == 202, answer.text
            await carrier.put("/_control", json={})

        async def has(order: str, status: str) -> bool:
            return await order_status(sessions, order) == status

        await eventually(lambda: has(cancelled, "cancelled"), timeout=90, what="cancelled")
        await eventually(lambda: has(refunded, "delivered"), timeout=90, what="delivered")
        refund = await admin.client.post(
            f"/v1/admin/orders/{refunded}/refund", json={"reason": "damaged in transit"}
        )
        assert refund.status_code == 200, refund.text

        # Only the kept order counts: the declined one never sold, the cancelled and refunded
        # ones were taken back.
        expected = {
            "top_products": [(mug, 1, 1), (plate, 1, 1)],
            "recommendations": ("model", [{"sku": plate, "orders": 1}]),
        }

        async def shown() -> bool:
            return _summary(await _figures(admin, {mug, plate, bowl})) == expected

        await eventually(shown, timeout=60, what="analytics and recommendations show the story")
        groups = [shop.analytics, shop.recommendations]
        await eventually(lambda: _all_caught_up(kafka, groups), timeout=60, what="groups done")
        figures = await _figures(admin, {mug, plate, bowl})
        assert _summary(figures) == expected

        async with contextlib.AsyncExitStack() as stack:
            for group in replays:
                await stack.enter_async_context(RunningConsumer(group, sessions, kafka, FAST))
            await eventually(lambda: _all_caught_up(kafka, replays), timeout=60, what="replayed")
        assert await _figures(admin, {mug, plate, bowl}) == figures

        rebuild_group = f"e2e-analytics-rebuild-{unique}"
        report = await rebuild_analytics(
            sessions, kafka, group=rebuild_group, topics=shop.analytics.topics
        )
        assert report.applied > 0
        assert await _figures(admin, {mug, plate, bowl}) == figures


def _summary(figures: dict[str, Any]) -> dict[str, Any]:
    recommended = figures["recommendations"]
    return {
        "top_products": [(p["sku"], p["units"], p["orders"]) for p in figures["top_products"]],
        "recommendations": (recommended["source"], recommended["items"]),
    }


async def _all_caught_up(kafka: KafkaConnection, groups: list[Consumer]) -> bool:
    return all([await caught_up(kafka, g.name, list(g.topics)) for g in groups])
