"""Reading catalog state back (test support)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


async def stock_of(sessions: async_sessionmaker[AsyncSession], sku: str) -> tuple[int, int]:
    """(available, reserved) of ``sku``."""
    async with sessions() as session:
        row = (
            await session.execute(
                text("SELECT available, reserved FROM catalog.stock_levels WHERE sku = :sku"),
                {"sku": sku},
            )
        ).one()
    return row.available, row.reserved
