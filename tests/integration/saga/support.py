"""What the saga fixtures hand the tests: the steerable fakes, the running saga, and a carrier
that checks, at every call, that no transaction of the test database stays open across it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.fulfillment import Carrier, CarrierConfig, HttpCarrier, Parcel
from devtools.fakes.carrier import CarrierState
from devtools.fakes.payment_provider import ProviderState
from tests.integration.consumers.support import RunningConsumer

T = TypeVar("T")
# The transactions of this database open right now (other than the probe's own).
OPEN_TRANSACTIONS = text(
    "SELECT pid, xact_start FROM pg_stat_activity WHERE datname = current_database() "
    "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
)


@dataclass
class FakeCarrier:
    """The fake carrier on a port, and its state for steering."""

    state: CarrierState
    url: str


@dataclass
class FakeProvider:
    """The fake payment provider on a port, and its state."""

    state: ProviderState
    url: str


@dataclass
class WatchedCarrier:
    """The HTTP carrier adapter, noting every transaction that stays open across a call.

    Each call takes at least ``hold_seconds``; a transaction open (same backend, same start)
    both before and after it spans the call. Nothing else in a test holds one that long.
    """

    sessions: async_sessionmaker[AsyncSession]
    url: str
    hold_seconds: float = 0.0
    timeout_seconds: float = 2.0
    spanning: list[str] = field(default_factory=list)
    calls: int = 0

    def __post_init__(self) -> None:
        config = CarrierConfig(base_url=self.url, timeout_seconds=self.timeout_seconds)
        self._http: Carrier = HttpCarrier(config)

    async def book(self, shipment_id: uuid.UUID, order_id: uuid.UUID, *, key: str) -> Parcel:
        """Book, watched."""
        return await self._watched("book", lambda: self._http.book(shipment_id, order_id, key=key))

    async def hand_over(self, shipment_id: uuid.UUID, *, key: str) -> Parcel:
        """Hand over, watched."""
        return await self._watched("hand_over", lambda: self._http.hand_over(shipment_id, key=key))

    async def void(self, shipment_id: uuid.UUID, *, key: str) -> bool:
        """Void, watched."""
        return await self._watched("void", lambda: self._http.void(shipment_id, key=key))

    async def track(self, shipment_id: uuid.UUID) -> Parcel | None:
        """Track, watched."""
        return await self._watched("track", lambda: self._http.track(shipment_id))

    async def _watched(self, operation: str, call: Callable[[], Awaitable[T]]) -> T:
        self.calls += 1
        before = await self._open()
        await asyncio.sleep(self.hold_seconds)
        try:
            return await call()
        finally:
            if held := before & await self._open():
                self.spanning.append(f"{operation}: {len(held)} transaction(s) open across it")

    async def _open(self) -> set[tuple[int, object]]:
        async with self.sessions() as session:
            return {(row.pid, row.xact_start) for row in await session.execute(OPEN_TRANSACTIONS)}


@dataclass
class Saga:
    """What the saga tests run against (the consumers may be stopped and started again)."""

    carrier: FakeCarrier
    provider: FakeProvider
    fulfillment_group: str
    watched: WatchedCarrier
    fulfillment: RunningConsumer
    orders_saga: RunningConsumer
