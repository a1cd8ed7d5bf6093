"""A database that migrations have not reached is the operator's to fix (one line naming the
upgrade); any other database error is not, and keeps its traceback for whoever debugs it."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError

from orderflow.cli.errors import UserError, schema_up_to_date


class _PostgresError(Exception):
    """What the driver raises: a message and the SQLSTATE."""

    def __init__(self, message: str, sqlstate: str) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


def _failed(message: str, sqlstate: str) -> DBAPIError:
    return DBAPIError("SELECT", None, _PostgresError(message, sqlstate))


@pytest.mark.parametrize(
    ("sqlstate", "message"),
    [
        ("3F000", 'schema "search" does not exist'),
        ("42P01", 'relation "analytics.daily" does not exist'),
        ("42703", 'column "currency" does not exist'),
    ],
)
def test_an_undefined_name_says_to_upgrade(sqlstate: str, message: str) -> None:
    with pytest.raises(UserError) as raised, schema_up_to_date():
        raise _failed(message, sqlstate)
    assert str(raised.value) == (
        f"the database schema is older than this code ({message}); run `orderflow db upgrade`"
    )


def test_any_other_database_error_is_raised_as_it_was() -> None:
    error = _failed("deadlock detected", "40P01")
    with pytest.raises(DBAPIError) as raised, schema_up_to_date():
        raise error
    assert raised.value is error
