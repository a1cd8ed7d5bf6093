"""Optimistic concurrency: an update checks the version it read (``WHERE version = :seen``).

Serializing writes per aggregate this way is what makes one aggregate's outbox rows commit in
version order.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import Table, update
from sqlalchemy.ext.asyncio import AsyncSession

from domains.shared.errors import ConcurrentUpdate


async def update_versioned(
    session: AsyncSession,
    table: Table,
    row_id: uuid.UUID,
    *,
    seen: int,
    values: Mapping[str, object],
    noun: str,
) -> None:
    """``UPDATE table SET values WHERE id = row_id AND version = seen``.

    ``values`` carries the new version. Raises ``ConcurrentUpdate`` when the stored row moved on
    since it was read (or is gone): nothing is written.
    """
    result = await session.execute(
        update(table).where(table.c.id == row_id, table.c.version == seen).values(**values)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ConcurrentUpdate(f"{noun} {row_id} was changed concurrently; reload and retry")


class VersionedRows:
    """The versions a repository read, so that saving an aggregate checks nobody else wrote it."""

    def __init__(self, session: AsyncSession, table: Table, noun: str) -> None:
        self._session = session
        self._table = table
        self._noun = noun
        self._seen: dict[uuid.UUID, int] = {}

    def remember(self, row_id: uuid.UUID, version: int) -> None:
        """``row_id`` is stored at ``version`` (just read, inserted or adopted)."""
        self._seen[row_id] = version

    def seen(self, row_id: uuid.UUID) -> int:
        """The version ``row_id`` was remembered at."""
        return self._seen[row_id]

    def changed(self, row_id: uuid.UUID, version: int) -> bool:
        """Whether ``version`` is not the one ``row_id`` was remembered at (there is a write)."""
        return self._seen[row_id] != version

    async def save(self, row_id: uuid.UUID, version: int, values: Mapping[str, object]) -> None:
        """Write ``values`` at ``version`` unless nothing changed since the row was remembered."""
        seen = self._seen[row_id]
        if version == seen:
            return
        await update_versioned(
            self._session,
            self._table,
            row_id,
            seen=seen,
            values={**values, "version": version},
            noun=self._noun,
        )
        self._seen[row_id] = version
