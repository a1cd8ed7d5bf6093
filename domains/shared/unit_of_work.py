"""The unit of work: the ONE way a domain's recorded events leave a transaction."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Protocol, Self

from sqlalchemy.ext.asyncio import AsyncSession

import outbox
from events import Envelope, IntegrationEvent, new_envelope
from foundation.database import namespace_of, producer_of

# ``session.info`` key: the outbox rows joined units of work left for the owner to write.
_DEFERRED = "orderflow.outbox.deferred"


class Aggregate(Protocol):
    """An aggregate records domain events; each carries the version it produced."""

    @property
    def events(self) -> list[object]:
        """Domain events recorded and not yet published, oldest first."""


class UnitOfWork(ABC):
    """``async with uow:`` rolls back unless ``await uow.commit()`` was called.

    ``commit`` saves what the repositories track, appends to the outbox the integration events
    of every aggregate they saw, then commits state and outbox rows together.

    ``joining(session)`` works inside a transaction somebody else owns (a consumer's batch,
    another domain's checkout): ``commit`` writes the same rows into it and leaves committing
    to the owner, who also rolls everything back when an error leaves the block. When the
    owner is a unit of work, a joined one hands it its outbox rows instead (validated already)
    and the owner writes every row of the transaction in one INSERT: one round trip, not one
    per domain. Inside a savepoint the rows are written at once, so that a rolled-back
    savepoint takes them along.
    """

    session: AsyncSession

    def __init__(self, sessions: Callable[[], AsyncSession]) -> None:
        self._sessions = sessions
        self._owns_transaction = True
        self._seen: list[Aggregate] = []

    @classmethod
    def joining(cls, session: AsyncSession) -> Self:
        """A unit of work inside ``session``'s transaction, which its owner commits."""
        uow = cls(lambda: session)
        uow._owns_transaction = False
        return uow

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        self._seen = []
        if self._owns_transaction:
            self.session.info[_DEFERRED] = []
        self._open_repositories(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._owns_transaction:
            self.session.info.pop(_DEFERRED, None)
            await self.session.rollback()
            await self.session.close()
        elif exc is None and any(aggregate.events for aggregate in self._seen):
            # The owner would commit state without its events: never let that pass silently.
            raise RuntimeError(f"{type(self).__name__} left without commit() (events unwritten)")

    def track(self, aggregate: Aggregate) -> None:
        """Remember ``aggregate`` so its recorded events are published on commit."""
        if all(aggregate is not seen for seen in self._seen):
            self._seen.append(aggregate)

    async def commit(self) -> None:
        """Save, write the outbox rows of the recorded events, and commit (when owned).

        Every event is validated against its schema first (``new_envelope`` raises before
        anything is written); the rows then go in one multi-row INSERT.
        """
        await self._save_changes()
        namespace, producer = namespace_of(self.session), producer_of(self.session)
        envelopes = []
        for aggregate in self._seen:
            while aggregate.events:
                published = self.to_integration_event(aggregate.events.pop(0))
                if published is not None:
                    event, version = published
                    envelope = new_envelope(
                        event, aggregate_version=version, namespace=namespace, producer=producer
                    )
                    envelopes.append(envelope)
        if self._owns_transaction:
            deferred: list[Envelope] = self.session.info.get(_DEFERRED, [])
            await outbox.append_envelope(self.session, *deferred, *envelopes)
            deferred.clear()
            await self.session.commit()
        elif _DEFERRED in self.session.info and not self.session.in_nested_transaction():
            self.session.info[_DEFERRED].extend(envelopes)
        else:
            await outbox.append_envelope(self.session, *envelopes)

    async def _save_changes(self) -> None:  # noqa: B027  (a hook; most repositories save at once)
        """Write what the tracked aggregates changed, for repositories that save on commit."""

    @abstractmethod
    def _open_repositories(self, session: AsyncSession) -> None:
        """Create this domain's repositories on ``session``."""

    @abstractmethod
    def to_integration_event(self, event: object) -> tuple[IntegrationEvent, int] | None:
        """The integration event of a domain event and the aggregate version it made.

        None for a domain event that stays inside the domain.
        """


@asynccontextmanager
async def outbox_rows_together(session: AsyncSession) -> AsyncIterator[None]:
    """Within the block, units of work joining ``session`` hand their outbox rows over, and
    they are written in one INSERT when the block ends without an error.

    For a transaction owned by no unit of work that runs many of them (a consumer's batch):
    one round trip for the batch's events rather than one per unit of work. The owner still
    commits (or rolls back) everything. Inside an owner that defers already, nothing changes.
    """
    if _DEFERRED in session.info:
        yield
        return
    deferred: list[Envelope] = []
    session.info[_DEFERRED] = deferred
    try:
        yield
        await outbox.append_envelope(session, *deferred)
    finally:
        session.info.pop(_DEFERRED, None)
