"""``orderflow dev``: the local PostgreSQL + Kafka pair that development and tests run against."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from orderflow.dev import Service, ServiceStatus

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)


class ServiceName(StrEnum):
    """The choices of ``--only``: the values of :class:`orderflow.dev.Service`.

    A copy, because typer needs the type when this module is imported and ``orderflow.dev``
    imports aiokafka and the whole stack (slow CLI startup); a unit test keeps them equal.
    """

    POSTGRES = "postgres"
    KAFKA = "kafka"
    PAYMENTS = "payments"
    CARRIER = "carrier"
    SMTP_SINK = "smtp-sink"


OnlyOption = Annotated[
    ServiceName | None,
    typer.Option("--only", help="Act on this service alone.", show_default=False),
]


@contextmanager
def _user_errors() -> Iterator[None]:
    """Print a problem the user can fix as one line (after any log excerpt) and exit 1."""
    from orderflow.dev import DevError  # lazy: keeps CLI startup fast

    try:
        yield
    except DevError as exc:
        if exc.details:
            print(exc.details, file=sys.stderr)
        hint = f" — {exc.hint}" if exc.hint else ""
        print(f"error: {exc.message}{hint}", file=sys.stderr)
        raise typer.Exit(1) from None
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        raise typer.Exit(130) from None


def _services(only: ServiceName | None) -> Sequence[Service]:
    from orderflow import dev as tooling  # lazy: keeps CLI startup fast

    return tooling.ALL_SERVICES if only is None else (tooling.Service(only.value),)


def render_status(statuses: Sequence[ServiceStatus]) -> str:
    """One line per service: state, pid, address, data folder and log."""
    lines = []
    for item in statuses:
        state = "running" if item.running else "stopped"
        pid = f"pid {item.pid}" if item.pid is not None else "pid -"
        lines.append(
            f"{item.service.value:<9} {state:<8} {pid:<10} {item.address:<16} "
            f"data {item.data_dir}  log {item.log_file}"
        )
    return "\n".join(lines)


@app.command()
def up(only: OnlyOption = None) -> None:
    """Start PostgreSQL and Kafka (idempotent) and wait until both answer."""
    from orderflow import dev as tooling  # lazy: aiokafka and the stack (startup time)

    given = tooling.infrastructure_from_environment(os.environ)
    if given is not None:
        print(
            "ORDERFLOW_DATABASE_URL and ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS are set: using the "
            f"given infrastructure ({tooling.mask_password(given.database_url)}, "
            f"{given.kafka_bootstrap_servers}); starting nothing",
            file=sys.stderr,
        )
        return
    with _user_errors():
        stack = tooling.dev_stack()
        statuses = asyncio.run(tooling.up(stack, _services(only)))
    print(render_status(statuses))
    print('Ready. Point the application at it with: eval "$(orderflow dev env)"', file=sys.stderr)


@app.command()
def down(
    only: OnlyOption = None,
    purge_data: Annotated[
        bool,
        typer.Option("--purge", help="Also delete all dev data (.dev and PostgreSQL's folder)."),
    ] = False,
) -> None:
    """Stop Kafka (SIGTERM, then SIGKILL after 30 s) and PostgreSQL (fast shutdown)."""
    from orderflow import dev as tooling  # lazy: aiokafka and the stack (startup time)

    with _user_errors():
        stack = tooling.dev_stack()
        if purge_data:
            tooling.purge(stack)
        else:
            tooling.down(stack, _services(only))


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show whether each service runs, its pid, address and data folder (exit 0 either way)."""
    from orderflow import dev as tooling  # lazy: aiokafka and the stack (startup time)

    with _user_errors():
        statuses = tooling.status(tooling.dev_stack())
    if as_json:
        print(json.dumps([item.as_dict() for item in statuses], indent=2))
    else:
        print(render_status(statuses))


@app.command()
def env() -> None:
    """Print shell exports for the infrastructure in use: eval "$(orderflow dev env)"."""
    from orderflow import dev as tooling  # lazy: aiokafka and the stack (startup time)

    given = tooling.infrastructure_from_environment(os.environ)
    with _user_errors():
        if given is None:
            stack = tooling.dev_stack()
            print(tooling.env_exports(stack.database_url, stack.kafka_bootstrap_servers), end="")
        else:
            print(tooling.env_exports(given.database_url, given.kafka_bootstrap_servers), end="")


@app.command()
def classpath() -> None:
    """Print the Kafka jars as a java classpath (downloading them the first time).

    Example: java -cp "$(orderflow dev classpath)" org.apache.kafka.tools.consumer.ConsoleConsumer
    --bootstrap-server 127.0.0.1:59092 --topic orders.order.v1 --from-beginning
    """
    from orderflow import dev as tooling  # lazy: aiokafka and the stack (startup time)

    with _user_errors():
        print(tooling.kafka_classpath(tooling.dev_paths(), os.environ))
