"""The saga on the real pair: relay, fulfillment and orders-saga consumers, delivery tracking
and the fake carrier, all in this event loop; groups start at the topics' current end."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.fulfillment import (
    CarrierConfig,
    HttpCarrier,
    fulfillment_consumer,
    run_delivery_tracking,
)
from consumers.orders_saga import orders_saga_consumer
from devtools.fakes.carrier import Behaviour, CarrierState, create_carrier_app
from foundation.kafka import KafkaConnection
from orderflow.processes import run_relay
from orderflow.settings import Settings
from tests.integration.consumers.support import FAST, RunningConsumer
from tests.integration.saga.support import FakeCarrier, Saga
from tests.kafka_helpers import start_at_end
from tests.support.processes import serving


@pytest.fixture(scope="session")
async def carrier() -> AsyncIterator[FakeCarrier]:
    """The fake carrier, delivering one second after booking."""
    state = CarrierState()
    async with serving(create_carrier_app(state)) as url:
        yield FakeCarrier(state, url)


@pytest.fixture(autouse=True)
def _normal_carrier(carrier: FakeCarrier) -> Iterator[None]:
    carrier.state.behaviour = Behaviour(deliver_after_seconds=1.0)
    yield
    carrier.state.behaviour = Behaviour(deliver_after_seconds=1.0)


@pytest.fixture
async def saga(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    kafka: KafkaConnection,
    carrier: FakeCarrier,
    unique: str,
) -> AsyncIterator[Saga]:
    """Relay + fulfillment + orders saga + tracking, running until the test ends."""
    adapter = HttpCarrier(CarrierConfig(base_url=carrier.url, timeout_seconds=2.0))
    groups = [
        replace(fulfillment_consumer(adapter), name=f"test-fulfillment-{unique}"),
        replace(orders_saga_consumer(), name=f"test-orders-saga-{unique}"),
    ]
    for group in groups:
        await start_at_end(kafka, group)
    stop = asyncio.Event()
    jobs = [
        asyncio.create_task(run_relay(settings, stop)),
        asyncio.create_task(run_delivery_tracking(sessions, adapter, stop, interval_seconds=0.3)),
    ]
    async with contextlib.AsyncExitStack() as stack:
        for group in groups:
            await stack.enter_async_context(RunningConsumer(group, sessions, kafka, FAST))
        try:
            yield Saga(carrier, groups[0].name)
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(*jobs), 30)
