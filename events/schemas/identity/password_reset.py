"""``PasswordResetRequested``, published to ``identity.password_reset.v1`` keyed by reset id."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import ConfigDict

from events.registry import IntegrationEvent, registry


@registry.register(
    event_type="identity.PasswordResetRequested",
    version=1,
    topic="identity.password_reset.v1",
    key="reset_id",
    aggregate_type="password_reset",
)
class PasswordResetRequested(IntegrationEvent):
    """A user asked to reset their password; a reset link should be e-mailed.

    Emitted in the transaction that stores the reset (aggregate version 1). It carries no
    token: the notification consumer fetches the link with
    ``domains.identity.api.get_reset_link(reset_id)`` at send time.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "user_id": "2c4e6a8b-1d3f-4b5a-8c7e-9f0a1b2c3d4e",
                    "reset_id": "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d",
                    "requested_at": "2026-11-26T08:10:00Z",
                    "expires_at": "2026-11-26T09:10:00Z",
                }
            ]
        }
    )

    user_id: uuid.UUID
    reset_id: uuid.UUID
    requested_at: datetime
    expires_at: datetime
