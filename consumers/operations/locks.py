"""A PostgreSQL advisory lock per job: "running" means a live process holds it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from consumers.operations.errors import JobConflict


@asynccontextmanager
async def job_lock(engine: AsyncEngine, job_id: uuid.UUID) -> AsyncIterator[None]:
    """Hold the job's lock for the block; :class:`JobConflict` when another process has it.

    A session-level lock on a dedicated connection: a crashed process releases it with its
    connection, so a job left ``running`` by a dead process can be resumed.
    """
    key = {"key": f"orderflow.dlq.job:{job_id}"}
    async with engine.connect() as connection:
        locked = await connection.scalar(text("SELECT pg_try_advisory_lock(hashtext(:key))"), key)
        await connection.commit()
        if not locked:
            raise JobConflict(
                f"job {job_id} is running in another process; watch it with `orderflow dlq jobs`"
            )
        try:
            yield
        finally:
            await connection.execute(text("SELECT pg_advisory_unlock(hashtext(:key))"), key)
            await connection.commit()


async def is_locked(engine: AsyncEngine, job_id: uuid.UUID) -> bool:
    """True when some process holds the job's lock right now."""
    async with engine.connect() as connection:
        held = await connection.scalar(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND objid = (hashtext(:key)::bigint & 4294967295)::oid"
            ),
            {"key": f"orderflow.dlq.job:{job_id}"},
        )
        return bool(held)
