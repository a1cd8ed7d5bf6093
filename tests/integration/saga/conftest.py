"""The saga on the real pair: relay, fulfillment and orders-saga consumers, delivery tracking,
the fake carrier and the fake payment provider, all in this event loop; groups start at the
topics' current end."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.fulfillment import fulfillment_consumer, run_delivery_tracking
from consumers.orders_saga import orders_saga_consumer
from devtools.fakes.carrier import Behaviour, CarrierState, create_carrier_app
from devtools.fakes.payment_provider import ProviderState, create_provider_app
from domains.payments import api as payments
from foundation.kafka import KafkaConnection
from orderflow.processes import run_relay
from orderflow.settings import Settings
from orderflow.topics import Topics
from orderflow.wiring.deployment import in_deployment
from tests.integration.consumers.support import FAST, RunningConsumer
from tests.integration.saga.support import FakeCarrier, FakeProvider, Saga, WatchedCarrier
from tests.kafka_helpers import start_at_end
from tests.support.processes import serving

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture(scope="session")
async def carrier() -> AsyncIterator[FakeCarrier]:
    """The fake carrier, delivering one second after the hand-over."""
    state = CarrierState()
    async with serving(create_carrier_app(state)) as url:
        yield FakeCarrier(state, url)


@pytest.fixture(autouse=True)
def _normal_carrier(carrier: FakeCarrier) -> Iterator[None]:
    carrier.state.behaviour = Behaviour(deliver_after_seconds=1.0)
    yield
    carrier.state.behaviour = Behaviour(deliver_after_seconds=1.0)


@pytest.fixture(scope="session")
async def provider() -> AsyncIterator[FakeProvider]:
    """The fake payment provider."""
    state = ProviderState()
    async with serving(create_provider_app(state)) as url:
        yield FakeProvider(state, url)


@pytest.fixture
async def payment_provider(provider: FakeProvider) -> AsyncIterator[payments.PaymentProvider]:
    """A client of the fake provider (checkout authorizes, the saga refunds)."""
    client = payments.PaymentProvider(payments.ProviderSettings(base_url=provider.url))
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def saga(
    settings: Settings,
    sessions: Sessions,
    kafka: KafkaConnection,
    carrier: FakeCarrier,
    provider: FakeProvider,
    payment_provider: payments.PaymentProvider,
    unique: str,
) -> AsyncIterator[Saga]:
    """Relay + fulfillment + orders saga + tracking, running until the test ends."""
    watched = WatchedCarrier(sessions, carrier.url, timeout_seconds=5.0)
    groups = [
        in_deployment(
            settings, replace(fulfillment_consumer(watched), name=f"test-fulfillment-{unique}")
        ),
        in_deployment(
            settings,
            replace(orders_saga_consumer(payment_provider), name=f"test-orders-saga-{unique}"),
        ),
    ]
    for group in groups:
        await start_at_end(kafka, group)
    stop = asyncio.Event()
    jobs = [
        asyncio.create_task(run_relay(settings, Topics(settings, []), stop)),
        asyncio.create_task(run_delivery_tracking(sessions, watched, stop, interval_seconds=0.3)),
    ]
    async with contextlib.AsyncExitStack() as stack:
        consumers = [RunningConsumer(group, sessions, kafka, FAST) for group in groups]
        for consumer in consumers:
            await stack.enter_async_context(consumer)
        try:
            yield Saga(carrier, provider, groups[0].name, watched, *consumers)
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(*jobs), 30)
