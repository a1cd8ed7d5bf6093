"""Reset links for the notifications consumer, from the identity domain (composition root).

The identity domain recomputes the token of a still-usable reset on demand; the link is built
here from ``ORDERFLOW_PASSWORD_RESET_URL`` and goes straight into the email, nowhere else.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.runtime import PermanentError
from domains.identity import api as identity
from domains.shared import InvalidInput, NotFound


class IdentityResetLinks:
    """:class:`consumers.notifications.ResetLinks` backed by ``domains.identity.api``."""

    def __init__(
        self, settings: Callable[[], identity.IdentitySettings], url_template: str
    ) -> None:
        # Resolved at first use: tooling that only lists consumers needs no signing secret.
        self._settings = settings
        self._url_template = url_template

    async def link_for(
        self, reset_id: uuid.UUID, sessions: async_sessionmaker[AsyncSession]
    ) -> str:
        """The link of ``reset_id``; a used, expired or unknown reset is permanent."""
        try:
            link = await identity.get_reset_link(
                reset_id, identity.IdentityUnitOfWork(sessions), self._settings()
            )
        except (NotFound, InvalidInput) as error:  # unknown, used or expired: never sendable
            raise PermanentError(str(error)) from error
        return self._url_template.format(token=link.token)
