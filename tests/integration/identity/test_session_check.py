"""The PostgreSQL session check keeps the contract its in-memory fake is tested against."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.identity import api as identity
from orderflow.settings import Settings
from tests.support.identity import signed_in
from tests.support.session_checks import SessionCheckContract


class TestOpenSessions(SessionCheckContract):
    @pytest.fixture(autouse=True)
    def _database(self, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self.sessions = sessions
        self.settings = settings

    async def check(self) -> identity.SessionCheck:
        return identity.OpenSessions(self.sessions, ttl_seconds=0)

    async def open_session(self) -> tuple[uuid.UUID, uuid.UUID]:
        user, pair = await signed_in(self.sessions, self.settings)
        return pair.session_id, user.id

    async def end_session(self, session_id: uuid.UUID, user_id: uuid.UUID) -> None:
        principal = identity.Principal(user_id, frozenset({identity.CUSTOMER}), session_id)
        await identity.end_session(principal, identity.IdentityUnitOfWork(self.sessions))
