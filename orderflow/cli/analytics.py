"""``orderflow analytics``: rebuild the analytics facts from the topics."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Annotated

import typer

from orderflow.cli.errors import command_group, friendly_errors
from orderflow.cli.search import progress_printer

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
    # Imported here (consumers, SQLAlchemy, settings): keeps CLI startup fast.
    from consumers.analytics import analysed_topics
    from consumers.analytics.rebuild import rebuild_analytics
    from orderflow.settings import get_settings
    from orderflow.wiring.connections import database_engine, database_sessions, group_id

    settings = get_settings()
    name = group_id(settings, group or f"analytics-rebuild-{int(time.time())}")
    namespace = settings.deployment.namespace()
    report = progress_printer(time.monotonic())

    async def main() -> dict[str, object]:
        engine = database_engine(settings)
        try:
            result = await rebuild_analytics(
                database_sessions(settings, engine),
                settings.kafka.connection(),
                group=name,
                progress=report,
                topics=tuple(namespace.topic(t) for t in analysed_topics()),
            )
        finally:
            await engine.dispose()
        return {"group": result.group, "records": result.records, "applied": result.applied,
                "skipped": result.skipped}  # fmt: skip

    with friendly_errors(settings):
        typer.echo(json.dumps(asyncio.run(main())))
