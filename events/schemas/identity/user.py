"""Events of the user aggregate, published to ``identity.user.v1`` keyed by user id."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import ConfigDict, Field

from events.registry import IntegrationEvent, registry


@registry.register(
    event_type="identity.UserRegistered",
    version=1,
    topic="identity.user.v1",
    key="user_id",
    aggregate_type="user",
)
class UserRegistered(IntegrationEvent):
    """A user account was created (self-registration or an admin created by the CLI).

    Emitted once per user, in the transaction that creates it (aggregate version 1). No
    personal data: a consumer that must write to the user asks ``domains.identity.api``.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "user_id": "2c4e6a8b-1d3f-4b5a-8c7e-9f0a1b2c3d4e",
                    "roles": ["customer"],
                    "registered_at": "2026-11-26T08:00:00Z",
                }
            ]
        }
    )

    user_id: uuid.UUID
    roles: tuple[str, ...] = Field(min_length=1)
    registered_at: datetime


@registry.register(
    event_type="identity.PasswordChanged",
    version=1,
    topic="identity.user.v1",
    key="user_id",
    aggregate_type="user",
)
class PasswordChanged(IntegrationEvent):
    """A user's password was replaced (today: through a password reset).

    Emitted in the transaction that stores the new hash; a consumer may tell the user.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "user_id": "2c4e6a8b-1d3f-4b5a-8c7e-9f0a1b2c3d4e",
                    "changed_at": "2026-11-26T08:30:00Z",
                }
            ]
        }
    )

    user_id: uuid.UUID
    changed_at: datetime


@registry.register(
    event_type="identity.UserRolesChanged",
    version=1,
    topic="identity.user.v1",
    key="user_id",
    aggregate_type="user",
)
class UserRolesChanged(IntegrationEvent):
    """An admin replaced a user's roles; every session of the user ended with it.

    ``roles`` is the whole new set, not a difference.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "user_id": "2c4e6a8b-1d3f-4b5a-8c7e-9f0a1b2c3d4e",
                    "roles": ["customer", "operator"],
                    "changed_at": "2026-11-26T09:00:00Z",
                }
            ]
        }
    )

    user_id: uuid.UUID
    roles: tuple[str, ...] = Field(min_length=1)
    changed_at: datetime


@registry.register(
    event_type="identity.UserDeleted",
    version=1,
    topic="identity.user.v1",
    key="user_id",
    aggregate_type="user",
)
class UserDeleted(IntegrationEvent):
    """An admin deleted the account; its sessions ended and identity erased its data.

    The last event of the user. A consumer holding data about the user may erase it too.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "user_id": "2c4e6a8b-1d3f-4b5a-8c7e-9f0a1b2c3d4e",
                    "deleted_at": "2026-11-26T10:00:00Z",
                }
            ]
        }
    )

    user_id: uuid.UUID
    deleted_at: datetime
