"""What a consumer is: a group name, its topics, a handler per event type, optional effects."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime.topics import dead_letter_topic
from events import Envelope, IntegrationEvent
from events.codec import DecodedEvent


@dataclass(frozen=True)
class MessageContext:
    """What a handler may use besides its event: the transaction and the envelope, and
    ``batch``: what the group's :data:`BatchScope` yielded for this batch (None without one)."""

    session: AsyncSession
    envelope: Envelope
    batch: object = None


@dataclass(frozen=True)
class EffectContext:
    """What an after-commit effect may use: a session factory and the envelope."""

    sessions: async_sessionmaker[AsyncSession]
    envelope: Envelope


Handler = Callable[[Any, MessageContext], Awaitable[None]]
"""Business logic in the consumer's transaction; the runtime commits it with the inbox row."""

Effect = Callable[[Any, EffectContext], Awaitable[None]]
"""An external side effect (an email) run after the transaction that recorded it committed.

It runs again when the same event is delivered again (a retry tier, a replay, a crash before
the offset commit), so it must be idempotent: look up what the handler recorded and do only
what is still pending. Its failures are classified and retried like a handler's.
"""


BatchScope = Callable[[AsyncSession, Sequence[DecodedEvent]], AbstractAsyncContextManager[object]]
"""Around the handlers of a batch, in its transaction: entered first with the batch's events,
left before the commit. For a group whose records contend with each other's rows: take the
batch's locks in one deterministic order (two partitions' batches then cannot deadlock), read
what its handlers need in one statement, write what they deferred when it is left without an
error. Its handlers see what it yields as ``MessageContext.batch``.

It runs around the one-transaction paths; a record run in a transaction of its own (the last
resort after a failure) runs without it, so handlers must work with ``batch`` None.
"""


InboxKey = Callable[[Envelope], uuid.UUID]
"""The id a group's inbox dedupes a record by, when the event id alone is not enough: for
events other services write (their ids are only unique per ``ce_source``, as CloudEvents
says), a name-based UUID of the source and the id, so one source's id never hides another's
record."""


@dataclass(frozen=True)
class Consumer:
    """A consumer group: ``name`` is its group id; events without a handler are skipped."""

    name: str
    topics: tuple[str, ...]
    handlers: Mapping[type[IntegrationEvent], Handler] = field(default_factory=dict)
    effects: Mapping[type[IntegrationEvent], Effect] = field(default_factory=dict)
    batch_scope: BatchScope | None = None
    inbox_key: InboxKey | None = None

    @property
    def dead_letter_topic(self) -> str:
        """Where this group's dead letters go."""
        return dead_letter_topic(self.name)
