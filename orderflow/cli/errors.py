"""The one way a command fails: ``raise UserError(...)``.

Every command group of the CLI is a :class:`Commands` group, which turns a ``UserError`` into
one ``error: ...`` line on stderr and its exit code (2 unless said otherwise) — never a
traceback. ``friendly_errors`` turns unreachable infrastructure into such an error,
``schema_up_to_date`` a database that migrations have not reached yet.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    from orderflow.settings import Settings


# The SQLSTATEs of a name PostgreSQL does not know: what code meets on a database its migrations
# have not reached (a schema, a table or a column that came with a later revision).
UNDEFINED_NAMES = frozenset({"3F000", "42P01", "42703"})


class UserError(Exception):
    """Something the user can fix; printed as one line, then the process exits ``exit_code``."""

    def __init__(self, message: str, *, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class Commands(TyperGroup):
    """A command group whose commands end a :class:`UserError` with one line and an exit code."""

    def invoke(self, ctx: Any) -> Any:  # a click.Context (click comes with typer)
        """Run the chosen command; a ``UserError`` becomes ``error: ...`` and its exit code,
        so do settings the environment holds that cannot work."""
        from orderflow.settings import InvalidSettings

        try:
            return super().invoke(ctx)
        except UserError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except InvalidSettings as exc:
            typer.echo(f"error: invalid configuration: {exc}", err=True)
            raise typer.Exit(2) from None


def command_group(**options: Any) -> typer.Typer:
    """A typer app whose commands fail through :class:`UserError` (help when run bare)."""
    return typer.Typer(cls=Commands, no_args_is_help=True, **options)


@contextmanager
def friendly_errors(settings: Settings) -> Iterator[None]:
    """Exit with a message (not a traceback) when the infrastructure cannot be reached."""
    # Imported here, not at the top: every CLI module imports this one (startup time).
    from aiokafka.errors import KafkaConnectionError, KafkaError

    try:
        yield
    except KeyboardInterrupt:
        sys.exit(130)
    except KafkaConnectionError as exc:
        raise UserError(
            f"cannot reach Kafka at {settings.kafka.bootstrap_servers} ({exc}). "
            "Start it with `orderflow dev up` or set ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS."
        ) from None
    except (ConnectionRefusedError, OSError) as exc:
        raise UserError(
            f"cannot reach PostgreSQL or Kafka ({exc}). Start them with `orderflow dev up` "
            "or set ORDERFLOW_DATABASE_URL / ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS."
        ) from None
    except KafkaError as exc:
        raise UserError(f"Kafka refused the request: {exc!r}") from None


@contextmanager
def schema_up_to_date() -> Iterator[None]:
    """Exit with a message (not a traceback) when the database lacks what this code needs."""
    from sqlalchemy.exc import DBAPIError  # here, not at the top: CLI startup time

    try:
        yield
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) not in UNDEFINED_NAMES:
            raise
        missing = str(exc.orig).rsplit(": ", 1)[-1]
        raise UserError(
            f"the database schema is older than this code ({missing}); run `orderflow db upgrade`"
        ) from None
