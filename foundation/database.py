"""The async engine and session factory."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from foundation.fresh_connections import begin_on_checkout
from foundation.namespace import Namespace
from foundation.pools import WatchedPool, watch_pool
from foundation.producer import UNKNOWN_PRODUCER, Producer

_NAMESPACE = "orderflow.namespace"
_PRODUCER = "orderflow.producer"


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    pool_timeout: float = 30.0,
    name: str | None = None,
    early_begin: bool = False,
) -> AsyncEngine:
    """A pooled engine (``url``: ``postgresql+asyncpg://…``): up to ``2 * pool_size``
    connections, ``pool_size`` of them kept open; a checkout that waits ``pool_timeout``
    seconds for one raises SQLAlchemy's ``TimeoutError``. A ``name`` exports the pool's
    figures (:mod:`foundation.pools`) with the label ``pool=name``. ``early_begin`` sends each
    transaction's ``BEGIN`` at checkout and replaces a connection found dead there
    (:mod:`foundation.fresh_connections`), before the transaction sent anything.

    No ``pool_pre_ping``: it costs a round trip (three with asyncpg: BEGIN, ``;``, ROLLBACK)
    on every checkout. A connection the server closed while it sat in the pool (a restart,
    an idle timeout) is replaced at checkout for free instead (:func:`_replace_if_closed`); one
    that dies unnoticed is replaced at its ``BEGIN`` with ``early_begin``, and otherwise fails
    its first statement, which makes SQLAlchemy discard every
    connection of the pool that is older (``is_disconnect``), and the caller treats that
    error as the infrastructure's (the API answers 503, a consumer waits and re-runs).
    """
    # hide_parameters: a failed statement's error text (logged, or in a traceback) names the
    # statement but not its values, which are e-mail addresses and password hashes.
    engine = create_async_engine(
        url,
        poolclass=WatchedPool,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=pool_timeout,
        hide_parameters=True,
    )
    event.listen(engine.sync_engine, "checkout", _replace_if_closed)
    if name is not None:
        watch_pool(engine, name, most=2 * pool_size)
    if early_begin:
        begin_on_checkout(engine, name or "unnamed")
    return engine


def _replace_if_closed(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """Refuse a pooled connection whose socket the server already closed.

    asyncpg sees the server's FIN (and its "terminating connection" message) on an idle
    connection as soon as the event loop reads it, without a round trip; raising
    ``DisconnectionError`` here makes the pool connect afresh for this checkout.
    """
    driver = getattr(dbapi_connection, "driver_connection", None)
    if driver is not None and driver.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


def create_sessions(
    engine: AsyncEngine, namespace: Namespace, *, producer: Producer = UNKNOWN_PRODUCER
) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded values after commit (handlers return what they wrote).

    Each carries the deployment's ``namespace`` (:func:`namespace_of`): the events a unit of
    work writes into the outbox name their topic and source with it; and the ``producer``
    (:func:`producer_of`), the build those events say wrote them.
    """
    info = {_NAMESPACE: namespace, _PRODUCER: producer}
    return async_sessionmaker(engine, expire_on_commit=False, info=info)


def namespace_of(session: AsyncSession) -> Namespace:
    """The deployment namespace ``session`` was made with (by :func:`create_sessions`)."""
    namespace = session.info.get(_NAMESPACE)
    if not isinstance(namespace, Namespace):
        raise RuntimeError(
            "this session has no deployment namespace: make its factory with "
            "foundation.database.create_sessions(engine, namespace)"
        )
    return namespace


def producer_of(session: AsyncSession) -> Producer:
    """The build ``session``'s events are stamped with (unknown unless its factory named one)."""
    producer = session.info.get(_PRODUCER)
    return producer if isinstance(producer, Producer) else UNKNOWN_PRODUCER
