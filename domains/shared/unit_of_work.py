"""The unit of work: one transaction for state and the outbox rows of recorded events."""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Protocol, Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import outbox
from events import IntegrationEvent, new_envelope


class Aggregate(Protocol):
    """An aggregate records domain events; each carries the version it produced."""

    events: list[object]


class UnitOfWork(ABC):
    """``async with uow:`` rolls back unless ``await uow.commit()`` was called.

    ``commit`` appends to the outbox the integration events of every aggregate the
    repositories saw, then commits state and outbox rows together.
    """

    session: AsyncSession

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._seen: list[Aggregate] = []

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        self._seen = []
        self._open_repositories(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.session.rollback()
        await self.session.close()

    def track(self, aggregate: Aggregate) -> None:
        """Remember ``aggregate`` so its recorded events are published on commit."""
        if all(aggregate is not seen for seen in self._seen):
            self._seen.append(aggregate)

    async def commit(self) -> None:
        """Write the outbox rows of the recorded events and commit everything at once.

        Every event is validated against its schema first (``new_envelope`` raises before
        anything is written); the rows then go in one multi-row INSERT.
        """
        envelopes = []
        for aggregate in self._seen:
            while aggregate.events:
                event, version = self.to_integration_event(aggregate.events.pop(0))
                envelopes.append(new_envelope(event, aggregate_version=version))
        await outbox.append_envelope(self.session, *envelopes)
        await self.session.commit()

    @abstractmethod
    def _open_repositories(self, session: AsyncSession) -> None:
        """Create this domain's repositories on ``session``."""

    @abstractmethod
    def to_integration_event(self, event: object) -> tuple[IntegrationEvent, int]:
        """Map a domain event to its integration event and the aggregate version it made."""
