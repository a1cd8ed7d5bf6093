"""CLI building blocks: tables, option bundles, the one error path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer
from typer.testing import CliRunner

from orderflow.cli.errors import UserError, command_group
from orderflow.cli.options import bundled
from orderflow.cli.tables import table

runner = CliRunner()


def test_a_table_aligns_columns_two_spaces_apart_and_numbers_to_the_right() -> None:
    rendered = table(("TOPIC", "PENDING"), [("orders.order.v1", 7), ("a", 120)])

    assert rendered.splitlines() == [
        "TOPIC            PENDING",
        "orders.order.v1        7",
        "a                    120",
    ]


def test_cells_are_plain_text_however_they_look() -> None:
    rendered = table(None, [("[bold]x[/bold]", ":smile:", "t[0]")])

    assert rendered == "[bold]x[/bold]  :smile:  t[0]"


@dataclass(frozen=True)
class Window:
    """Options two commands share."""

    since: Annotated[str, typer.Option(help="From when.")]
    limit: Annotated[int, typer.Option(help="How many.")] = 10


app = command_group()


@app.command()
@bundled
def first(*, window: Window, verbose: Annotated[bool, typer.Option()] = False) -> None:
    """Echo the bundle."""
    typer.echo(f"first {window.since} {window.limit} {verbose}")


@app.command()
@bundled
def second(*, window: Window) -> None:
    """Refuse a bad bundle the one way commands fail."""
    raise UserError(f"nothing since {window.since}", exit_code=3)


def test_a_bundle_is_options_of_every_command_that_takes_it() -> None:
    first_run = runner.invoke(app, ["first", "--since", "2h", "--verbose"])
    help_text = runner.invoke(app, ["second", "--help"]).output

    assert (first_run.exit_code, first_run.output) == (0, "first 2h 10 True\n")
    assert "--since" in help_text
    assert "--limit" in help_text


def test_a_user_error_is_one_line_and_its_exit_code() -> None:
    result = runner.invoke(app, ["second", "--since", "1d", "--limit", "3"])
    missing = runner.invoke(app, ["second"])

    assert result.exit_code == 3
    assert result.output == "error: nothing since 1d\n"
    assert missing.exit_code == 2  # a required bundle field is a required option
    assert "--since" in missing.output
