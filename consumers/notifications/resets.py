"""Password-reset emails: the link is a secret, so it is fetched at send time, never stored.

The recorded notification keeps :data:`RESET_LINK` in its body; the delivery effect replaces
it with the link the identity domain derives on demand, so neither the topic nor our table
ever holds a usable token.
"""

from __future__ import annotations

import uuid
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

RESET_LINK = "{reset_link}"


class ResetLinks(Protocol):
    """Where reset links come from (the identity domain, wired by the composition root)."""

    async def link_for(
        self, reset_id: uuid.UUID, sessions: async_sessionmaker[AsyncSession]
    ) -> str:
        """The link of a still-usable reset (read with ``sessions``, the consumer's database);
        raise ``PermanentError`` when it is not usable any more."""
        ...
