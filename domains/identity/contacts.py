"""Contact details other contexts may read at send time (events never carry them)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domains.identity.tables import users


async def email_of(session: AsyncSession, user_id: uuid.UUID) -> str | None:
    """The e-mail address of ``user_id``, read in the caller's transaction; None if unknown."""
    email = await session.scalar(select(users.c.email).where(users.c.id == user_id))
    return None if email is None else str(email)
