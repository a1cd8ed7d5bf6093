"""Domain events of identity → the integration events other teams subscribe to.

None of them carries a secret: no password hash, no reset token.
"""

from __future__ import annotations

from domains.identity import model
from events import IntegrationEvent
from events.schemas import identity as published


def to_integration_event(event: object) -> tuple[IntegrationEvent, int]:
    """The published event for an identity domain event, and the aggregate version it made."""
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
    if isinstance(event, model.UserRolesChanged):
        roles = published.UserRolesChanged(
            user_id=event.user_id, roles=tuple(sorted(event.roles)), changed_at=event.changed_at
        )
        return roles, event.version
    if isinstance(event, model.UserDeleted):
        deleted = published.UserDeleted(user_id=event.user_id, deleted_at=event.deleted_at)
        return deleted, event.version
    if isinstance(event, model.PasswordResetRequested):
        requested = published.PasswordResetRequested(
            user_id=event.user_id,
            reset_id=event.reset_id,
            requested_at=event.requested_at,
            expires_at=event.expires_at,
        )
        return requested, 1
    if isinstance(event, model.SignUpAttempted):
        attempted = published.SignUpAttempted(
            attempt_id=event.attempt_id, user_id=event.user_id, attempted_at=event.attempted_at
        )
        return attempted, 1
    raise TypeError(f"no integration event for {type(event).__name__}")
