"""``orderflow docs``: the AsyncAPI document, the Markdown event catalog, the C4 views."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from orderflow.cli.errors import UserError, command_group

app = command_group()

# ``events.contracts.catalog.CATALOG_PATH``, spelled out: typer needs the default when this
# module is imported, and importing ``events.contracts`` registers every event (slow CLI
# startup). A unit test keeps the two equal.
CATALOG_PATH = Path(__file__).resolve().parents[2] / "docs" / "events" / "catalog.md"

Output = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")]


def _write(text: str, output: Path) -> None:
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text)
    except OSError as exc:
        raise UserError(f"cannot write {output}: {exc.strerror or exc}") from None
    typer.echo(f"wrote {output}", err=True)


@app.command()
def asyncapi(output: Output = None) -> None:
    """The AsyncAPI 3.0 document (JSON) of every topic; stdout unless --output."""
    from events.contracts import build_asyncapi  # lazy: registers every event (startup time)

    text = json.dumps(build_asyncapi(), indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        _write(text, output)


@app.command()
def catalog(
    output: Annotated[Path, typer.Option("--output", "-o", help="Markdown file.")] = CATALOG_PATH,
) -> None:
    """The Markdown event catalog (default docs/events/catalog.md)."""
    from events.contracts import render_catalog  # lazy: registers every event (startup time)

    _write(render_catalog(), output)


# ``orderflow.architecture.ARCHITECTURE_PATH``, spelled out for the same reason as CATALOG_PATH.
ARCHITECTURE_PATH = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


@app.command()
def architecture(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Markdown file.")
    ] = ARCHITECTURE_PATH,
) -> None:
    """The C4 views (context, containers, components) drawn from the code (default
    docs/architecture.md)."""
    from orderflow.architecture import render_architecture  # lazy: imports the whole deployment

    _write(render_architecture(), output)
