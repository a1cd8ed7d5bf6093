"""``orderflow analytics``: rebuild the analytics facts from the topics."""

from __future__ import annotations

from typing import Annotated

import typer

from orderflow.cli.errors import command_group
from orderflow.cli.search import run_rebuild

app = command_group()


@app.command()
def rebuild(
    group: Annotated[
        str | None,
        typer.Option(
            help="Consumer group to read with (default: a new analytics-rebuild-<time>, in the "
            "deployment's namespace)."
        ),
    ] = None,
) -> None:
    """Build the analytics facts afresh from the beginning of the topics and swap them in.

    The live facts keep serving (and being updated) until the swap, which takes one short
    transaction; the figures then are what the topics say. Prints progress to stderr and a
    JSON summary to stdout.
    """
    # Imported here (consumers, SQLAlchemy): keeps CLI startup fast.
    from consumers.analytics import analysed_topics
    from consumers.analytics.rebuild import rebuild_analytics

    run_rebuild(
        rebuild_analytics, analysed_topics(), group=group, default_group="analytics-rebuild"
    )
