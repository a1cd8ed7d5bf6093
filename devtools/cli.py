"""``orderflow dev``: the local PostgreSQL + Kafka pair and the fake partners.

The ``orderflow`` command adds this group when the development tooling is importable (a checkout
with the ``dev`` dependency group installed); the shipped wheel has no ``orderflow dev``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.util import find_spec
from typing import Annotated

import typer

# Light modules only (CLI startup): the stack, aiokafka and asyncpg load inside the commands.
from devtools import partner_commands
from devtools.config import Service, ServiceStatus, env_exports, mask_password
from devtools.errors import DevError
from devtools.upstream import command as upstream_command
from orderflow.cli.errors import UserError, command_group
from orderflow.cli.tables import table

# A checkout synced without the dev group has this package but not its dependencies: refuse
# here, so that the CLI offers no `orderflow dev` rather than commands that fail half-way.
for _requirement in ("aiosmtpd", "testcontainers"):
    if find_spec(_requirement) is None:
        raise ModuleNotFoundError(f"No module named {_requirement!r}", name=_requirement)

app = command_group(pretty_exceptions_enable=False)

OnlyOption = Annotated[
    Service | None,
    typer.Option("--only", help="Act on this service alone.", show_default=False),
]


@contextmanager
def _user_errors() -> Iterator[None]:
    """A problem the user can fix becomes one ``error:`` line (after any log excerpt), exit 1."""
    try:
        yield
    except DevError as exc:
        if exc.details:
            print(exc.details, file=sys.stderr)
        hint = f" — {exc.hint}" if exc.hint else ""
        raise UserError(f"{exc.message}{hint}", exit_code=1) from None
    except OSError as exc:
        raise UserError(str(exc), exit_code=1) from None
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        raise typer.Exit(130) from None


def services(only: Service | None) -> Sequence[Service]:
    """The services a command acts on: every one, or the one ``--only`` names."""
    from devtools.stack import ALL_SERVICES  # lazy: the stack imports aiokafka (startup time)

    return ALL_SERVICES if only is None else (only,)


def render_status(statuses: Sequence[ServiceStatus]) -> str:
    """One line per service: state, pid, address, data folder and log."""
    rows = [
        (
            item.service.value,
            "running" if item.running else "stopped",
            f"pid {item.pid}" if item.pid is not None else "pid -",
            item.address,
            f"data {item.data_dir}",
            f"log {item.log_file}",
        )
        for item in statuses
    ]
    return table(None, rows)


@app.command()
def up(only: OnlyOption = None) -> None:
    """Start PostgreSQL, Kafka and the fake partners (idempotent) and wait until they answer."""
    from devtools import stack  # lazy: aiokafka and the stack (startup time)
    from devtools.infrastructure import infrastructure_from_environment

    given = infrastructure_from_environment(os.environ)
    if given is not None:
        print(
            "ORDERFLOW_DATABASE_URL and ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS are set: using the "
            f"given infrastructure ({mask_password(given.database_url)}, "
            f"{given.kafka_bootstrap_servers}); starting nothing",
            file=sys.stderr,
        )
        return
    with _user_errors():
        statuses = asyncio.run(stack.up(stack.dev_stack(), services(only)))
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
    """Stop the fakes, Kafka (SIGTERM, then SIGKILL after 30 s) and PostgreSQL (fast shutdown)."""
    from devtools import stack  # lazy: aiokafka and the stack (startup time)

    with _user_errors():
        if purge_data:
            stack.purge(stack.dev_stack())
        else:
            stack.down(stack.dev_stack(), services(only))


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show whether each service runs, its pid, address and data folder (exit 0 either way)."""
    from devtools import stack  # lazy: aiokafka and the stack (startup time)

    with _user_errors():
        statuses = stack.status(stack.dev_stack())
    if as_json:
        print(json.dumps([item.as_dict() for item in statuses], indent=2))
    else:
        print(render_status(statuses))


@app.command()
def env() -> None:
    """Print shell exports for the infrastructure in use: eval "$(orderflow dev env)"."""
    from devtools import stack  # lazy: aiokafka and the stack (startup time)
    from devtools.infrastructure import infrastructure_from_environment

    given = infrastructure_from_environment(os.environ)
    with _user_errors():
        if given is None:
            dev = stack.dev_stack()
            print(env_exports(dev.database_url, dev.kafka_bootstrap_servers), end="")
        else:
            print(env_exports(given.database_url, given.kafka_bootstrap_servers), end="")


@app.command()
def classpath() -> None:
    """Print the Kafka jars as a java classpath (downloading them the first time).

    Example: java -cp "$(orderflow dev classpath)" org.apache.kafka.tools.consumer.ConsoleConsumer
    --bootstrap-server 127.0.0.1:59092 --topic orders.order.v1 --from-beginning
    """
    from devtools import stack  # lazy: aiokafka and the stack (startup time)
    from devtools.paths import dev_paths

    with _user_errors():
        print(stack.kafka_classpath(dev_paths(), os.environ))


app.command("fake-provider")(partner_commands.fake_provider)
app.command("fake-carrier")(partner_commands.fake_carrier)
app.command("smtp-sink")(partner_commands.smtp_sink)
app.command("upstream")(upstream_command.upstream)
