"""``SignUpAttempted``, published to ``identity.sign_up_attempt.v1`` keyed by attempt id."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import ConfigDict

from events.registry import IntegrationEvent, registry


@registry.register(
    event_type="identity.SignUpAttempted",
    version=1,
    topic="identity.sign_up_attempt.v1",
    key="attempt_id",
    aggregate_type="sign_up_attempt",
)
class SignUpAttempted(IntegrationEvent):
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
                    "user_id": "2c4e6a8b-1d3f-4b5a-8c7e-9f0a1b2c3d4e",
                    "attempted_at": "2026-11-26T08:20:00Z",
                }
            ]
        }
    )

    attempt_id: uuid.UUID
    user_id: uuid.UUID
    attempted_at: datetime
