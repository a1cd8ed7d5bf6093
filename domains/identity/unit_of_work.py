"""The identity unit of work: users, resets and sessions plus the event mapping."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domains.identity.publishing import to_integration_event
from domains.identity.repository import PasswordResetRepository, UserRepository
from domains.identity.session_repository import SessionRepository
from domains.shared import UnitOfWork
from events import IntegrationEvent


class IdentityUnitOfWork(UnitOfWork):
    """One transaction over the ``identity`` schema and the outbox."""

    users: UserRepository
    resets: PasswordResetRepository
    sessions: SessionRepository

    def _open_repositories(self, session: AsyncSession) -> None:
        self.users = UserRepository(session, self.track)
        self.resets = PasswordResetRepository(session, self.track)
        self.sessions = SessionRepository(session)

    def to_integration_event(self, event: object) -> tuple[IntegrationEvent, int]:
        """Map identity domain events to the published ones."""
        return to_integration_event(event)
