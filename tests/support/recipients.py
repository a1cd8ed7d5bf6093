"""A recipient directory for tests whose customers have no accounts."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession


class PlaceholderDirectory:
    """A deterministic address per customer: ``customer-<id>@customers.example``.

    ``.example`` is reserved by RFC 2606: nothing sent there can reach a real person.
    """

    def __init__(self, domain: str = "customers.example") -> None:
        self._domain = domain

    async def email_for(self, customer_id: uuid.UUID, session: AsyncSession) -> str:
        """``customer-<id>@<domain>``."""
        return f"customer-{customer_id}@{self._domain}"
