"""Events of the ``identity`` domain, generated from orderflow's JSON Schemas.

Do not edit: ``python clients/python/generate.py`` writes this file from ``events/schemas/json``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from pydantic import ConfigDict, Field

from orderflow_events.base import Event, EventSpec


class PasswordChanged(Event):
    """A user's password was replaced (today: through a password reset).

    Emitted in the transaction that stores the new hash; a consumer may tell the user.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "changed_at": "2026-11-26T08:30:00Z",
                    "user_id": "2c4e6a8b-1d3f-4b5a-8c7e-9f0a1b2c3d4e",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="identity.PasswordChanged",
        version=1,
        topic="identity.user.v1",
        key="user_id",
        aggregate_type="user",
    )
    user_id: uuid.UUID
    changed_at: datetime


class PasswordResetRequested(Event):
    """A user asked to reset their password; a reset link should be e-mailed.

    Emitted in the transaction that stores the reset (aggregate version 1). It carries no
    token: the notification consumer fetches the link with
    ``domains.identity.api.get_reset_link(reset_id)`` at send time.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "expires_at": "2026-11-26T09:10:00Z",
                    "requested_at": "2026-11-26T08:10:00Z",
                    "reset_id": "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d",
                    "user_id": "2c4e6a8b-1d3f-4b5a-8c7e-9f0a1b2c3d4e",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="identity.PasswordResetRequested",
        version=1,
        topic="identity.password_reset.v1",
        key="reset_id",
        aggregate_type="password_reset",
    )
    user_id: uuid.UUID
    reset_id: uuid.UUID
    requested_at: datetime
    expires_at: datetime


class SignUpAttempted(Event):
    """Someone tried to register an address that already has an account.

    The answer to that request said nothing about the account (registration does not tell who
    is registered here); this event lets the account's owner be told instead. Emitted once per
    attempt (aggregate version 1), carrying the owner's id only: no address, no password.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "attempt_id": "5b1c9e2a-7d4f-4e6a-9b3c-2d1e0f9a8b7c",
                    "attempted_at": "2026-11-26T08:20:00Z",
                    "user_id": "2c4e6a8b-1d3f-4b5a-8c7e-9f0a1b2c3d4e",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="identity.SignUpAttempted",
        version=1,
        topic="identity.sign_up_attempt.v1",
        key="attempt_id",
        aggregate_type="sign_up_attempt",
    )
    attempt_id: uuid.UUID
    user_id: uuid.UUID
    attempted_at: datetime


class UserDeleted(Event):
    """An admin deleted the account; its sessions ended and identity erased its data.

    The last event of the user. A consumer holding data about the user may erase it too.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "deleted_at": "2026-11-26T10:00:00Z",
                    "user_id": "2c4e6a8b-1d3f-4b5a-8c7e-9f0a1b2c3d4e",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="identity.UserDeleted",
        version=1,
        topic="identity.user.v1",
        key="user_id",
        aggregate_type="user",
    )
    user_id: uuid.UUID
    deleted_at: datetime


class UserRegistered(Event):
    """A user account was created (self-registration or an admin created by the CLI).

    Emitted once per user, in the transaction that creates it (aggregate version 1). No
    personal data: a consumer that must write to the user asks ``domains.identity.api``.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "registered_at": "2026-11-26T08:00:00Z",
                    "roles": ["customer"],
                    "user_id": "2c4e6a8b-1d3f-4b5a-8c7e-9f0a1b2c3d4e",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="identity.UserRegistered",
        version=1,
        topic="identity.user.v1",
        key="user_id",
        aggregate_type="user",
    )
    user_id: uuid.UUID
    roles: tuple[str, ...] = Field(min_length=1)
    registered_at: datetime


class UserRolesChanged(Event):
    """An admin replaced a user's roles; every session of the user ended with it.

    ``roles`` is the whole new set, not a difference.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "changed_at": "2026-11-26T09:00:00Z",
                    "roles": ["customer", "operator"],
                    "user_id": "2c4e6a8b-1d3f-4b5a-8c7e-9f0a1b2c3d4e",
                }
            ]
        }
    )
    event_spec: ClassVar[EventSpec] = EventSpec(
        event_type="identity.UserRolesChanged",
        version=1,
        topic="identity.user.v1",
        key="user_id",
        aggregate_type="user",
    )
    user_id: uuid.UUID
    roles: tuple[str, ...] = Field(min_length=1)
    changed_at: datetime
