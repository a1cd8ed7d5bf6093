"""The saga stepped by hand: a test's outbox events delivered one at a time to the real
fulfillment and orders-saga handlers and effects.

Each delivery is what the consumer runtime does with a record: the handler in a transaction of
its own, then (after the commit) the group's effect for it. No relay and no Kafka: a test stops
at any step (or between a handler and its effect), cancels, and goes on — deterministic where a
running saga would be a race. The running saga and the fault suite cover the transport.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime import Consumer, EffectContext, MessageContext
from events import Envelope, IntegrationEvent, bind_message_context, decode_record
from foundation.database import namespace_of

Sessions = async_sessionmaker[AsyncSession]
ROWS = "SELECT id, topic, headers, payload FROM outbox.events WHERE id > :after ORDER BY id"


@dataclass(frozen=True)
class Delivery:
    """One outbox event for one consumer group."""

    row_id: int
    consumer: Consumer
    envelope: Envelope
    event: IntegrationEvent

    @property
    def name(self) -> str:
        """``<group>:<EventName>``, e.g. ``fulfillment:ShipmentCreated``."""
        return f"{self.consumer.name}:{type(self.event).__name__}"

    @property
    def key(self) -> tuple[int, str]:
        """What identifies it among the deliveries."""
        return self.row_id, self.consumer.name


class SteppedSaga:
    """Delivers the events written after :meth:`start` to ``consumers``, in outbox order."""

    def __init__(self, sessions: Sessions, consumers: Sequence[Consumer]) -> None:
        self.sessions = sessions
        self.consumers = consumers
        self.handled: set[tuple[int, str]] = set()
        self.done: list[str] = []
        self._after = 0

    async def start(self) -> SteppedSaga:
        """Only events written from now on are delivered."""
        async with self.sessions() as session:
            self._after = int(await session.scalar(text("SELECT max(id) FROM outbox.events")) or 0)
        return self

    async def pending(self) -> list[Delivery]:
        """The deliveries not made yet, oldest event first."""
        async with self.sessions() as session:
            rows = list(await session.execute(text(ROWS), {"after": self._after}))
            namespace = namespace_of(session)  # rows name their topic on the wire
        found = []
        for row in rows:
            headers = [(name, value.encode()) for name, value in row.headers.items()]
            decoded = decode_record(bytes(row.payload), headers, row.topic)
            for consumer in self.consumers:
                topic = namespace.logical(row.topic)
                if topic in consumer.topics and type(decoded.event) in consumer.handlers:
                    found.append(Delivery(row.id, consumer, decoded.envelope, decoded.event))
        return [d for d in found if d.key not in self.handled]

    async def next(self, name: str) -> Delivery:
        """The first pending delivery called ``name``."""
        return next(d for d in await self.pending() if d.name == name)

    async def handle(self, delivery: Delivery) -> None:
        """Run the handler in a transaction of its own, as the runtime does."""
        bind_message_context(delivery.envelope.correlation_id, str(delivery.envelope.event_id))
        handler = delivery.consumer.handlers[type(delivery.event)]
        async with self.sessions.begin() as session:
            await handler(delivery.event, MessageContext(session, delivery.envelope))
        self.handled.add(delivery.key)

    async def effect(self, delivery: Delivery) -> None:
        """Run the group's after-commit effect for the delivery, if it has one."""
        effect = delivery.consumer.effects.get(type(delivery.event))
        if effect is not None:
            await effect(delivery.event, EffectContext(self.sessions, delivery.envelope))
        self.done.append(delivery.name)

    async def deliver(self, delivery: Delivery) -> None:
        """Handler, then effect."""
        await self.handle(delivery)
        await self.effect(delivery)

    async def run(self, *, until: Callable[[Delivery], bool] | None = None) -> Delivery | None:
        """Deliver everything, including what deliveries write, until nothing is left or the
        next delivery satisfies ``until`` (returned, not delivered)."""
        while pending := await self.pending():
            if until is not None and until(pending[0]):
                return pending[0]
            await self.deliver(pending[0])
        return None
