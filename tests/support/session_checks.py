"""An in-memory ``SessionCheck`` for the edge's unit tests, and the contract it shares with the
PostgreSQL one (``tests/unit/identity/test_session_check.py`` runs it on the fake,
``tests/integration/identity/test_session_check.py`` on PostgreSQL)."""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod

from domains.identity.api import SessionCheck


class InMemorySessions:
    """Sessions a unit test opened and ended, answering like :class:`OpenSessions`."""

    def __init__(self) -> None:
        self._open: dict[uuid.UUID, uuid.UUID] = {}

    def open(self, user_id: uuid.UUID) -> uuid.UUID:
        """A new open session of ``user_id``."""
        session_id = uuid.uuid4()
        self._open[session_id] = user_id
        return session_id

    def end(self, session_id: uuid.UUID) -> None:
        """End ``session_id``."""
        self._open.pop(session_id, None)

    async def is_open(self, session_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        """True while ``session_id`` of ``user_id`` is open."""
        return self._open.get(session_id) == user_id


class SessionCheckContract(ABC):
    """What every :class:`SessionCheck` answers (subclass per implementation)."""

    @abstractmethod
    async def check(self) -> SessionCheck:
        """The implementation under test, answering fresh (no caching)."""

    @abstractmethod
    async def open_session(self) -> tuple[uuid.UUID, uuid.UUID]:
        """A new open session: (session id, user id)."""

    @abstractmethod
    async def end_session(self, session_id: uuid.UUID, user_id: uuid.UUID) -> None:
        """End it the way users do (log out)."""

    async def test_an_open_session_is_open(self) -> None:
        session_id, user_id = await self.open_session()

        assert await (await self.check()).is_open(session_id, user_id)

    async def test_an_ended_session_is_not(self) -> None:
        session_id, user_id = await self.open_session()
        await self.end_session(session_id, user_id)

        assert not await (await self.check()).is_open(session_id, user_id)

    async def test_a_session_is_open_only_for_its_own_user(self) -> None:
        session_id, _ = await self.open_session()

        assert not await (await self.check()).is_open(session_id, uuid.uuid4())

    async def test_an_unknown_session_is_not_open(self) -> None:
        assert not await (await self.check()).is_open(uuid.uuid4(), uuid.uuid4())
