"""The relay's own asyncpg connections for claiming and marking.

Claiming and marking are single statements on the relay's critical path. Through the
application's SQLAlchemy engine each paid for a pool pre-ping and a separate ``BEGIN`` and
``COMMIT``: four round trips where one does. These connections keep no session state, so
handing one back to the pool needs no reset query either.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine


def asyncpg_dsn(engine: AsyncEngine) -> str:
    """The engine's database as a plain ``postgresql://`` DSN for asyncpg."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


async def _keep_session(_: object) -> None:
    """Nothing to reset: the relay sets no session state and leaves no transaction open."""


def relay_pool(engine: AsyncEngine, size: int) -> Any:
    """An asyncpg pool of up to ``size`` connections, opened on first use (so a relay starts
    while PostgreSQL is still down, and reconnects after it restarts)."""
    return asyncpg.create_pool(
        asyncpg_dsn(engine),
        min_size=0,
        max_size=size,
        reset=_keep_session,
        server_settings={
            "application_name": "orderflow-relay-claims",
            # The claim's plan cost (a lateral subquery per lane) crosses jit_above_cost:
            # compiling it took 40 ms per claim, three times what running it takes.
            "jit": "off",
            # Plan each prepared statement once: planning a lone commit's claim took 0.2 ms,
            # twice its execution, and its plan (a probe per lane) suits every array size.
            "plan_cache_mode": "force_generic_plan",
        },
    )
