"""The identity unit of work: user and reset repositories plus the event mapping."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from domains.identity import model
from domains.identity.repository import PasswordResetRepository, UserRepository
from domains.shared import UnitOfWork
from events import IntegrationEvent
from events.schemas import identity as published


class IdentityUnitOfWork(UnitOfWork):
    """One transaction over the ``identity`` schema and the outbox."""

    users: UserRepository
    resets: PasswordResetRepository

    def _open_repositories(self, session: AsyncSession) -> None:
        self.users = UserRepository(session, self.track)
        self.resets = PasswordResetRepository(session, self.track)

    def to_integration_event(self, event: object) -> tuple[IntegrationEvent, int]:
        """Map identity domain events to the published ones (none carries a secret)."""
        if isinstance(event, model.UserRegistered):
            registered = published.UserRegistered(
                user_id=event.user_id,
                roles=tuple(sorted(event.roles)),
                registered_at=event.registered_at,
            )
            return registered, 1
        if isinstance(event, model.PasswordChanged):
            changed = published.PasswordChanged(user_id=event.user_id, changed_at=event.changed_at)
            return changed, event.version
        if isinstance(event, model.PasswordResetRequested):
            requested = published.PasswordResetRequested(
                user_id=event.user_id,
                reset_id=event.reset_id,
                requested_at=event.requested_at,
                expires_at=event.expires_at,
            )
            return requested, 1
        raise TypeError(f"no integration event for {type(event).__name__}")
