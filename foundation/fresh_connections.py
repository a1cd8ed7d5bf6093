"""A dead pooled connection replaced before its transaction sends anything — without a ping.

``pool_pre_ping`` proves a connection alive with a round trip on every checkout (three with
asyncpg: ``BEGIN``, ``;``, ``ROLLBACK``). SQLAlchemy's other answer, the optimistic one, lets
the first statement on a dead connection fail and the caller retry; it says an automatic retry
is safe only where nothing of the transaction was sent yet. That point exists: asyncpg sends a
transaction's ``BEGIN`` as a round trip of its own before the first statement. This module
sends that same ``BEGIN`` when the connection is handed out instead of with the first
statement — no round trip more — and when it finds the connection dead (the server ended it
while it sat in the pool: a restart, ``pg_terminate_backend``, an idle timeout, and asyncpg
has not read the news yet) it drops the connection and begins once more on a fresh one. Had
the ``BEGIN`` reached a live server, nothing of the transaction would have happened yet
either; so the retry can never run a statement twice.

Not for connections in autocommit (each statement is its own transaction, so there is no
``BEGIN`` to move): they keep the optimistic behaviour, as do pools this is not installed on.
A second dead connection in a row is the database's outage, raised as such (the API answers
503 ``database_unavailable``).
"""

from __future__ import annotations

from typing import Any

import structlog
from prometheus_client import Counter
from sqlalchemy import Connection, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_

log = structlog.get_logger("orderflow.database")

REPLACED = Counter(
    "orderflow_db_connections_replaced_total",
    "Pooled connections found dead at their transaction's BEGIN and replaced before anything "
    "of the transaction was sent",
    ["pool"],
)


def begin_on_checkout(engine: AsyncEngine, pool: str) -> None:
    """Begin every transaction of ``engine`` as its connection is handed out; replace a dead
    connection once (counted as ``pool``)."""
    REPLACED.labels(pool=pool)  # zero from the start: rate() needs a first sample

    def begin_now(connection: Connection) -> None:
        if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return
        try:
            _begin(connection)
        except Exception as error:
            if not _is_disconnect(connection, error):
                raise
            connection.invalidate(error)  # the next use checks out a fresh connection
            REPLACED.labels(pool=pool).inc()
            log.info("database_connection_replaced", pool=pool, error=type(error).__name__)
            _begin_or_raise(connection)

    event.listen(engine.sync_engine, "engine_connect", begin_now)


def _begin(connection: Connection) -> None:
    """Send the ``BEGIN`` the adapter would send before the first statement (it then skips
    its own). ``_start_transaction`` is the asyncpg adapter's one way in; the tests of this
    module count the round trips and fail loudly should it change."""
    adapter: Any = connection.connection.dbapi_connection
    await_(adapter._start_transaction())


def _begin_or_raise(connection: Connection) -> None:
    """Begin on the fresh connection; failing again, raise SQLAlchemy's wrapped error so the
    callers see an ordinary lost connection (``connection_invalidated``)."""
    try:
        _begin(connection)
    except Exception as error:
        dbapi = connection.dialect.loaded_dbapi
        if not isinstance(error, dbapi.Error):
            raise
        invalidated = _is_disconnect(connection, error)
        if invalidated:
            connection.invalidate(error)
        raise DBAPIError.instance(
            "BEGIN", None, error, dbapi.Error, connection_invalidated=invalidated
        ) from error


def _is_disconnect(connection: Connection, error: Exception) -> bool:
    """Whether ``error`` (the driver's) says the connection is gone (SQLAlchemy's judgement)."""
    if not isinstance(error, connection.dialect.loaded_dbapi.Error):
        return False
    adapter = connection.connection.dbapi_connection
    return bool(connection.dialect.is_disconnect(error, adapter, None))
