"""The critical pool's connections: no ping per checkout, and a pooled connection the server
ended is replaced at its transaction's BEGIN, before anything of the transaction was sent.

The server really ends the connection (``pg_terminate_backend``). To hit the one window the
checkout's free check cannot see — the server's goodbye not read yet — the test holds back the
client's reads on that socket until the backend is gone (asyncpg would read it at the next
turn of the event loop; a busy process may hand the connection out before that turn).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from foundation.database import create_engine
from orderflow.settings import Settings
from orderflow.wiring.pools import DatabasePools
from tests.support.polling import eventually

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
async def admin(settings: Settings) -> AsyncIterator[asyncpg.Connection]:
    """A plain connection to end other backends with."""
    url = settings.database.url.replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(url)
    yield connection
    await connection.close()


async def _one_transaction(sessions: Sessions) -> tuple[int, Any]:
    """A unit of work: its backend's pid and the driver connection it ran on."""
    async with sessions() as session, session.begin():
        pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        raw = await (await session.connection()).get_raw_connection()
        return int(pid), raw.driver_connection


async def _ended_unnoticed(admin: asyncpg.Connection, pid: int, driver: Any) -> None:
    """End backend ``pid`` while ``driver``, its pooled client connection, reads nothing."""
    driver._transport.pause_reading()  # the test holds back the server's goodbye
    assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
    gone = "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1)"
    await eventually(lambda: admin.fetchval(gone, pid), 10, "the backend gone", every=0.01)
    driver._transport.resume_reading()  # read at the event loop's next turn
    assert not driver.is_closed()  # the checkout's own check cannot know yet


def _engine(settings: Settings, **options: Any) -> AsyncEngine:
    return create_engine(settings.database.url, pool_size=1, **options)


def _replaced() -> float:
    value = REGISTRY.get_sample_value(
        "orderflow_db_connections_replaced_total", {"pool": "critical"}
    )
    return value or 0.0


async def test_a_connection_the_server_ended_is_replaced_before_the_transaction_sends_anything(
    settings: Settings, admin: asyncpg.Connection
) -> None:
    """On the critical pool, as ``orderflow api`` and ``orderflow run`` make it."""
    pools = DatabasePools(settings.updated(database={"pool_size": 1}))
    sessions = async_sessionmaker(pools.critical)
    try:
        pid, driver = await _one_transaction(sessions)
        await _ended_unnoticed(admin, pid, driver)
        before = _replaced()

        next_pid, _ = await _one_transaction(sessions)
    finally:
        await pools.dispose()

    assert next_pid != pid
    assert _replaced() == before + 1


async def test_without_it_the_first_statement_fails_on_the_ended_connection(
    settings: Settings, admin: asyncpg.Connection
) -> None:
    """The counter-test: the same ended connection, the optimistic engine — the request's
    transaction fails (the API would answer 503), though the database is up."""
    engine = _engine(settings)
    sessions = async_sessionmaker(engine)
    try:
        pid, driver = await _one_transaction(sessions)
        await _ended_unnoticed(admin, pid, driver)

        with pytest.raises(DBAPIError) as failure:
            await _one_transaction(sessions)
    finally:
        await engine.dispose()

    assert failure.value.connection_invalidated


def _round_trips(engine: AsyncEngine) -> Callable[[], list[str]]:
    """Everything ``engine`` sends: the driver's own queries (BEGIN, COMMIT, a ping), which
    asyncpg's query loggers report, and the statements SQLAlchemy executes (prepared, which
    they do not)."""
    sent: list[str] = []

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(lambda q: sent.append(q.query))

    def on_statement(*args: Any) -> None:
        sent.append(args[2])

    event.listen(engine.sync_engine, "connect", on_connect)
    event.listen(engine.sync_engine, "before_cursor_execute", on_statement)
    return lambda: list(sent)


async def _one_checkout_sends(engine: AsyncEngine) -> list[str]:
    log = _round_trips(engine)
    sessions = async_sessionmaker(engine)
    try:
        await _one_transaction(sessions)  # connects: the first checkout is not a pooled one
        before = len(log())
        await _one_transaction(sessions)
        return log()[before:]
    finally:
        await engine.dispose()


async def test_a_healthy_checkout_sends_no_ping(settings: Settings) -> None:
    """Measured against ``pool_pre_ping``, SQLAlchemy's way to the same safety, which costs
    three round trips more per transaction with asyncpg (its BEGIN, ``;`` and ROLLBACK)."""
    optimistic = await _one_checkout_sends(_engine(settings))
    ours = await _one_checkout_sends(_engine(settings, early_begin=True))
    pinging = create_async_engine(settings.database.url, pool_size=1, pool_pre_ping=True)
    pre_ping = await _one_checkout_sends(pinging)

    # The driver reports its own queries a moment later (call_soon): compare, don't order.
    assert sorted(ours) == sorted(optimistic)  # the BEGIN moved, nothing added
    assert sorted(ours) == ["BEGIN;", "COMMIT;", "SELECT pg_backend_pid()"]
    assert sorted(pre_ping) == sorted([*ours, "BEGIN;", ";", "ROLLBACK;"])
