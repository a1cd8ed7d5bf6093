"""``orderflow search``: rebuild the search read model from the topics."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Annotated

import typer

from orderflow.cli.errors import command_group, friendly_errors, schema_up_to_date

if TYPE_CHECKING:
    from consumers.search.rebuild import Progress, RebuildReport

app = command_group()


def progress_printer(started: float) -> Progress:
    """Prints ``done/total`` to stderr at most once a second (and at the end)."""
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 1.0 or done >= total:
            last[0] = now
            print(f"rebuild: {done}/{total} records ({now - started:.1f} s)", file=sys.stderr)

    return report


@app.command()
def rebuild(
    group: Annotated[
        str | None,
        typer.Option(
            help="Consumer group to read with (default: a new search-rebuild-<time>, in the "
            "deployment's namespace)."
        ),
    ] = None,
) -> None:
    """Build a fresh search index from the beginning of the topics and swap it in atomically.

    The live index keeps serving (and being updated) until the swap, which takes one short
    transaction. Prints progress to stderr and a JSON summary to stdout.
    """
    # Imported here (consumers, SQLAlchemy): keeps CLI startup fast.
    from consumers.search import indexed_topics
    from consumers.search.rebuild import rebuild_index

    run_rebuild(rebuild_index, indexed_topics(), group=group, default_group="search-rebuild")


def run_rebuild(
    rebuild: Callable[..., Awaitable[RebuildReport]],
    topics: Iterable[str],
    *,
    group: str | None,
    default_group: str,
) -> None:
    """Run a read model's ``rebuild`` over ``topics`` (in the deployment's namespace) under
    ``group`` (default: a new ``<default_group>-<time>``); progress to stderr, a JSON summary
    to stdout."""
    from orderflow.settings import get_settings
    from orderflow.wiring.connections import database_engine, database_sessions, group_id

    settings = get_settings()
    name = group_id(settings, group or f"{default_group}-{int(time.time())}")
    namespace = settings.deployment.namespace()
    report = progress_printer(time.monotonic())

    async def main() -> dict[str, object]:
        engine = database_engine(settings)
        try:
            result = await rebuild(
                database_sessions(settings, engine),
                settings.kafka.connection(),
                group=name,
                progress=report,
                topics=tuple(namespace.topic(t) for t in topics),
            )
        finally:
            await engine.dispose()
        return {"group": result.group, "records": result.records, "applied": result.applied,
                "skipped": result.skipped}  # fmt: skip

    with friendly_errors(settings), schema_up_to_date():
        typer.echo(json.dumps(asyncio.run(main())))
