"""Who receives a customer's email.

Events carry ids, never personal data, so the address is looked up when the notification is
recorded, in the consumer's transaction. :class:`IdentityDirectory` asks the identity domain
(what deployments use).
"""

from __future__ import annotations

import uuid
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from consumers.runtime import PermanentError
from domains.identity import api as identity


class RecipientDirectory(Protocol):
    """Resolves a customer id to the address their emails go to."""

    async def email_for(self, customer_id: uuid.UUID, session: AsyncSession) -> str:
        """The email address of ``customer_id``."""
        ...


class IdentityDirectory:
    """The address the customer registered with, from ``domains.identity.api``."""

    async def email_for(self, customer_id: uuid.UUID, session: AsyncSession) -> str:
        """The registered address; a customer without an account can never be emailed."""
        email = await identity.email_of(session, customer_id)
        if email is None:
            raise PermanentError(f"customer {customer_id} has no account to email")
        return email
