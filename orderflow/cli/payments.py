"""``orderflow payments``: reconcile unsettled payments."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer

from orderflow.cli.errors import command_group

app = command_group()


@app.command()
def reconcile(
    grace: Annotated[
        float | None,
        typer.Option(
            help="Leave payments younger than this many seconds alone (default: settings)."
        ),
    ] = None,
) -> None:
    """Settle orders stuck in payment_pending against the provider, once, and print a summary.

    authorized → confirmed; declined → cancelled + stock released; unknown past the deadline →
    cancelled + released. Safe to run any time and concurrently with the API (version checks).
    """
    # Imported here (the payments wiring, SQLAlchemy): keeps CLI startup fast.
    from orderflow.periodic import reconcile_once
    from orderflow.settings import get_settings
    from orderflow.wiring.connections import database_engine, database_sessions
    from orderflow.wiring.deployment import orders_services, payment_provider

    settings = get_settings()

    async def main() -> dict[str, object]:
        engine = database_engine(settings)
        provider = payment_provider(settings)
        try:
            services = orders_services(database_sessions(settings, engine), settings, provider)
            report = await reconcile_once(services, settings, grace=grace)
        finally:
            await provider.aclose()
            await engine.dispose()
        return {"examined": report.examined, **report.results}

    typer.echo(json.dumps(asyncio.run(main())))
