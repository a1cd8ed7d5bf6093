"""Failure classes: what a handler may raise, and how the runtime sorts any exception.

The rule: an error of the infrastructure (PostgreSQL, Kafka, the network between us and them)
is never the record's fault. The runtime waits it out and runs the same batch again, without
spending the record's retry budget (see :mod:`consumers.runtime.waiting`). Only a record that
cannot be decoded (poison) and a handler's declared :class:`PermanentError` are dead-lettered
at once; anything else a handler raises climbs the retry tiers.

Database errors are recognised by their SQLSTATE (asyncpg puts it on its exceptions, and
SQLAlchemy's asyncpg adapter copies it onto ``DBAPIError.orig``) and by SQLAlchemy's own signal
that it dropped the connection (``DBAPIError.connection_invalidated``), never by message text.
Note that SQLAlchemy's asyncpg dialect wraps most server errors — "the database system is
shutting down" (57P01) among them — in a plain ``DBAPIError``, not an ``OperationalError``, so
the exception class alone says nothing.
"""

from __future__ import annotations

import enum

from aiokafka.errors import (
    KafkaError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
)
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from events import PoisonMessage


class PermanentError(Exception):
    """Raised by a handler when retrying can never help: the record goes to the DLQ at once."""


class TransientError(Exception):
    """Raised by a handler when a later attempt may succeed (a dependency is down)."""


class FailureClass(enum.StrEnum):
    """How the runtime treats a failure."""

    POISON = "poison"
    PERMANENT = "permanent"
    TRANSIENT = "transient"
    INFRASTRUCTURE = "infrastructure"


class Cause(enum.StrEnum):
    """Why the infrastructure failed (a metric label: a small, fixed set)."""

    CONNECTION_LOST = "connection_lost"
    SERVER_UNAVAILABLE = "server_unavailable"
    INSUFFICIENT_RESOURCES = "insufficient_resources"
    SERIALIZATION_FAILURE = "serialization_failure"
    DEADLOCK = "deadlock"
    LOCK_TIMEOUT = "lock_timeout"
    STATEMENT_TIMEOUT = "statement_timeout"
    POOL_TIMEOUT = "pool_timeout"
    BROKER = "broker"
    NETWORK = "network"


class InfrastructureUnavailable(Exception):
    """The database or the broker failed under a batch: nobody's input, the batch waits."""

    def __init__(self, cause: Cause, error: BaseException) -> None:
        super().__init__(f"{cause}: {describe(error)}")
        self.cause = cause
        self.error = error


# SQLSTATEs (exact codes first, then two-character classes) that say the server, the
# connection or concurrency failed, not the statement. See PostgreSQL's "Appendix A. Error
# Codes". Left out on purpose: 25P02 (in failed transaction: a consequence, its cause was
# classified already) and XX (internal errors: may be data-specific, the tiers bound them).
_SQLSTATES: dict[str, Cause] = {
    "57P01": Cause.SERVER_UNAVAILABLE,  # admin_shutdown: "terminating connection ..."
    "57P02": Cause.SERVER_UNAVAILABLE,  # crash_shutdown
    "57P03": Cause.SERVER_UNAVAILABLE,  # cannot_connect_now: "starting up" / "shutting down"
    "57P04": Cause.SERVER_UNAVAILABLE,  # database_dropped
    "57P05": Cause.CONNECTION_LOST,  # idle_session_timeout
    "25P03": Cause.CONNECTION_LOST,  # idle_in_transaction_session_timeout
    "40001": Cause.SERIALIZATION_FAILURE,
    "40003": Cause.CONNECTION_LOST,  # statement_completion_unknown
    "40P01": Cause.DEADLOCK,
    "55P03": Cause.LOCK_TIMEOUT,  # lock_not_available (lock_timeout, NOWAIT)
    "57014": Cause.STATEMENT_TIMEOUT,  # query_canceled (statement_timeout, pg_cancel_backend)
}
_SQLSTATE_CLASSES: dict[str, Cause] = {
    "08": Cause.CONNECTION_LOST,  # connection exception (08000, 08003, 08006, ...)
    "53": Cause.INSUFFICIENT_RESOURCES,  # 53300 too_many_connections, disk full, out of memory
    "58": Cause.SERVER_UNAVAILABLE,  # system error: I/O error on the server
}

# What the broker says about the record itself, not about its own health.
RECORD_REJECTIONS: tuple[type[KafkaError], ...] = (
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
)

_MAX_CHAIN = 16


def sqlstate_cause(code: object) -> Cause | None:
    """The infrastructure cause named by SQLSTATE ``code``, if it names one."""
    if not isinstance(code, str) or len(code) != 5:
        return None
    return _SQLSTATES.get(code) or _SQLSTATE_CLASSES.get(code[:2])


def database_cause(error: BaseException) -> Cause | None:
    """The cause when ``error`` or anything in its chain is a database infrastructure error."""
    for link in _chain(error):
        if isinstance(link, DBAPIError) and link.connection_invalidated:
            return Cause.CONNECTION_LOST
        if isinstance(link, DisconnectionError):
            return Cause.CONNECTION_LOST
        if isinstance(link, PoolTimeoutError):
            return Cause.POOL_TIMEOUT
        cause = sqlstate_cause(getattr(link, "sqlstate", None))
        if cause is None and isinstance(link, DBAPIError):
            cause = sqlstate_cause(getattr(link.orig, "sqlstate", None))
        if cause is not None:
            return cause
    return None


def infrastructure_cause(error: BaseException) -> Cause | None:
    """Why ``error`` is an infrastructure failure, or None when it is not one.

    Beyond the database errors of :func:`database_cause`: a Kafka error (other than the
    broker refusing this very record) and, at the top of the chain, a bare network error
    (``OSError``, ``TimeoutError``: asyncpg raises ``ConnectionRefusedError`` itself when the
    server is down). A network error a handler wrapped in a declared error of its own (an SMTP
    client raising ``TransientError`` from ``OSError``) keeps the class the handler declared.
    """
    if isinstance(error, InfrastructureUnavailable):
        return error.cause
    cause = database_cause(error)
    if cause is not None:
        return cause
    if isinstance(error, KafkaError) and not isinstance(error, RECORD_REJECTIONS):
        return Cause.BROKER
    if isinstance(error, OSError):  # TimeoutError and ConnectionError are OSErrors too
        return Cause.NETWORK
    return None


def classify(error: BaseException) -> FailureClass:
    """The class of ``error``.

    Anything not infrastructure, poison or declared permanent is transient: an unexpected bug
    is usually fixed by a deploy, and the retry tiers give that deploy time to land before the
    record reaches the DLQ; the DLQ still catches it if the bug stays.
    """
    if isinstance(error, PoisonMessage):
        return FailureClass.POISON
    if infrastructure_cause(error) is not None:
        return FailureClass.INFRASTRUCTURE
    if isinstance(error, PermanentError):
        return FailureClass.PERMANENT
    return FailureClass.TRANSIENT


def worth_a_quick_retry(error: BaseException) -> bool:
    """Whether a quick in-process retry is worth it: transient failures, and bare network
    errors (the database may be blinking). Other infrastructure errors wait for the whole
    batch instead (see :mod:`consumers.runtime.waiting`)."""
    kind = classify(error)
    return kind is FailureClass.TRANSIENT or infrastructure_cause(error) is Cause.NETWORK


def message_of(error: BaseException) -> str:
    """``str(error)``, never raising (a broken ``__str__`` must not hide the error)."""
    try:
        return str(error)
    except Exception:  # any __str__ may fail; the type still says something
        return "<unprintable>"


def describe(error: BaseException) -> str:
    """``Type: message``, bounded and never raising."""
    return f"{type(error).__name__}: {message_of(error)}"[:1000]


def _chain(error: BaseException) -> list[BaseException]:
    """``error``, its cause and context, and theirs: bounded, cycles cut."""
    seen: list[BaseException] = []
    link: BaseException | None = error
    while link is not None and len(seen) < _MAX_CHAIN and all(link is not s for s in seen):
        seen.append(link)
        link = link.__cause__ or link.__context__
    return seen
