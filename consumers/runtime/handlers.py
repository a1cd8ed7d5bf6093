"""What a consumer is: a group name, its topics and a handler per event type."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from events import Envelope, IntegrationEvent


@dataclass(frozen=True)
class MessageContext:
    """What a handler may use besides its event: the transaction and the envelope."""

    session: AsyncSession
    envelope: Envelope


Handler = Callable[[Any, MessageContext], Awaitable[None]]


@dataclass(frozen=True)
class Consumer:
    """A consumer group: ``name`` is its group id; events without a handler are skipped."""

    name: str
    topics: tuple[str, ...]
    handlers: Mapping[type[IntegrationEvent], Handler] = field(default_factory=dict)

    @property
    def dead_letter_topic(self) -> str:
        """Where this group's poison records go."""
        return f"{self.name}.dlq"
