"""Which failures are the infrastructure's (wait, re-run the batch) and which a record's.

The database errors are built the way SQLAlchemy's asyncpg dialect raises them: the asyncpg
exception (carrying its SQLSTATE) wrapped in the dialect's adapted error, wrapped in a
``DBAPIError`` — a plain one for most server errors, whatever the SQLSTATE says.
"""

from __future__ import annotations

import asyncpg
import pytest
from aiokafka.errors import (
    KafkaConnectionError,
    KafkaTimeoutError,
    MessageSizeTooLargeError,
    NotLeaderForPartitionError,
    RecordTooLargeError,
    TopicAuthorizationFailedError,
)
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_dbapi
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, PendingRollbackError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from consumers.runtime import FailureClass, PermanentError, TransientError, classify
from consumers.runtime.errors import (
    Cause,
    InfrastructureUnavailable,
    describe,
    infrastructure_cause,
    worth_a_quick_retry,
)
from events import PoisonMessage, PoisonReason


def _db(error: Exception, *, invalidated: bool = False, wrapper: type = DBAPIError) -> Exception:
    """``error`` as SQLAlchemy surfaces it from asyncpg."""
    adapted = AsyncAdapt_asyncpg_dbapi.Error(str(error), error)  # type: ignore[no-untyped-call]
    adapted.__cause__ = error
    wrapped: Exception = wrapper("SELECT 1", {}, adapted, connection_invalidated=invalidated)
    wrapped.__cause__ = adapted
    return wrapped


@pytest.mark.parametrize(
    ("error", "cause"),
    [
        (_db(asyncpg.exceptions.AdminShutdownError("shutting down")), Cause.SERVER_UNAVAILABLE),
        (_db(asyncpg.exceptions.CannotConnectNowError("starting up")), Cause.SERVER_UNAVAILABLE),
        (_db(asyncpg.exceptions.CrashShutdownError("crash")), Cause.SERVER_UNAVAILABLE),
        (
            _db(asyncpg.exceptions.ConnectionDoesNotExistError("closed mid-operation")),
            Cause.CONNECTION_LOST,
        ),
        (_db(asyncpg.exceptions.ConnectionFailureError("08006")), Cause.CONNECTION_LOST),
        (_db(asyncpg.exceptions.ClientCannotConnectError("08001")), Cause.CONNECTION_LOST),
        (_db(asyncpg.exceptions.TooManyConnectionsError("53300")), Cause.INSUFFICIENT_RESOURCES),
        (_db(asyncpg.exceptions.SerializationError("40001")), Cause.SERIALIZATION_FAILURE),
        (_db(asyncpg.exceptions.DeadlockDetectedError("40P01")), Cause.DEADLOCK),
        (_db(asyncpg.exceptions.LockNotAvailableError("55P03")), Cause.LOCK_TIMEOUT),
        (_db(asyncpg.exceptions.QueryCanceledError("57014")), Cause.STATEMENT_TIMEOUT),
        # "connection is closed": no SQLSTATE, SQLAlchemy says it invalidated the connection
        (
            _db(
                asyncpg.exceptions.InterfaceError("closed"),
                invalidated=True,
                wrapper=InterfaceError,
            ),
            Cause.CONNECTION_LOST,
        ),
        (PoolTimeoutError("QueuePool limit reached"), Cause.POOL_TIMEOUT),
        (ConnectionRefusedError(111, "refused"), Cause.NETWORK),  # asyncpg's own, at connect
        (TimeoutError(), Cause.NETWORK),
        (KafkaConnectionError(), Cause.BROKER),
        (KafkaTimeoutError(), Cause.BROKER),
        (NotLeaderForPartitionError(), Cause.BROKER),
        (TopicAuthorizationFailedError(), Cause.BROKER),  # fixed by an operator, not the record
    ],
)
def test_infrastructure_failures_are_never_the_records_fault(
    error: Exception, cause: Cause
) -> None:
    assert infrastructure_cause(error) is cause
    assert classify(error) is FailureClass.INFRASTRUCTURE


def test_a_declared_error_raised_from_a_database_failure_is_still_the_infrastructure() -> None:
    lost = _db(asyncpg.exceptions.AdminShutdownError("terminating connection"))
    for declared in (TransientError("lookup failed"), PermanentError("no such customer")):
        declared.__cause__ = lost
        assert classify(declared) is FailureClass.INFRASTRUCTURE


def test_a_partners_network_error_wrapped_by_its_client_keeps_the_declared_class() -> None:
    smtp_down = TransientError("SMTP server unreachable")
    smtp_down.__cause__ = ConnectionRefusedError(111, "refused")
    assert classify(smtp_down) is FailureClass.TRANSIENT


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (PoisonMessage(PoisonReason.UNKNOWN_TYPE, "x"), FailureClass.POISON),
        (PermanentError("x"), FailureClass.PERMANENT),
        (TransientError("x"), FailureClass.TRANSIENT),
        (KeyError("a bug"), FailureClass.TRANSIENT),  # a deploy may fix it: tiers give it time
        # A constraint violation is the statement's doing, not the server's: retry tiers.
        (_db(asyncpg.exceptions.UniqueViolationError("23505"), wrapper=IntegrityError), "t"),
        (_db(asyncpg.exceptions.InvalidTextRepresentationError("22P02")), "t"),
        # asyncpg's client-side DataError (a value out of range) is an InterfaceError too.
        (_db(asyncpg.exceptions.DataError("out of range"), wrapper=InterfaceError), "t"),
        (PendingRollbackError("rolled back"), "t"),  # a consequence; the batch isolates records
        (MessageSizeTooLargeError(), "t"),  # the broker refuses a record, not a failure of it
        (RecordTooLargeError(), "t"),
    ],
)
def test_records_failures(error: Exception, kind: FailureClass | str) -> None:
    expected = FailureClass.TRANSIENT if kind == "t" else kind
    assert classify(error) is expected
    assert infrastructure_cause(error) is None


def test_infrastructure_unavailable_keeps_its_cause() -> None:
    wrapped = InfrastructureUnavailable(Cause.BROKER, KafkaConnectionError())
    assert infrastructure_cause(wrapped) is Cause.BROKER
    assert "broker" in str(wrapped)


def test_quick_retries_only_for_transient_and_bare_network_errors() -> None:
    assert worth_a_quick_retry(TransientError("x"))
    assert worth_a_quick_retry(ConnectionResetError())
    assert not worth_a_quick_retry(_db(asyncpg.exceptions.DeadlockDetectedError("40P01")))
    assert not worth_a_quick_retry(PermanentError("x"))


def test_a_cyclic_chain_and_a_broken_str_do_not_hang_or_raise() -> None:
    class Broken(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no")

    first, second = Broken(), ValueError("loop")
    first.__context__, second.__context__ = second, first
    assert classify(first) is FailureClass.TRANSIENT
    assert describe(first) == "Broken: <unprintable>"
