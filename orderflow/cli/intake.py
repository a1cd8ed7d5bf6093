"""``orderflow intake status``: what each upstream service submitted, and the intake's lag."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from orderflow.cli.errors import command_group, friendly_errors
from orderflow.cli.tables import table

if TYPE_CHECKING:
    from orderflow.settings import Settings

app = command_group()


@app.callback()
def intake() -> None:
    """Order intake from upstream services."""


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Per client: accepted, rejected by reason, last seen; and the intake group's lag."""
    from orderflow.settings import get_settings  # lazy: keeps CLI startup fast

    settings = get_settings()
    with friendly_errors(settings):
        report = asyncio.run(_report(settings))
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    rows = [
        [c["name"], c["client_id"], c["accepted"], _reasons(c["rejected"]), c["last_seen_at"]]
        for c in report["clients"]
    ]
    typer.echo(table(["client", "client_id", "accepted", "rejected", "last_seen"], rows))
    group = report["group"]
    typer.echo(
        f"\n{group['name']}: lag {group['lag']} records, dead letters {group['dead_letters']}"
    )


def _reasons(rejected: dict[str, int]) -> str:
    return ", ".join(f"{reason} {count}" for reason, count in sorted(rejected.items())) or "-"


async def _report(settings: Settings) -> dict[str, Any]:
    from consumers.intake import GROUP
    from consumers.runtime.status import groups_status
    from domains.identity import api as identity
    from domains.orders import api as orders
    from orderflow.wiring.connections import database_engine, database_sessions
    from orderflow.wiring.deployment import deployed_consumers

    engine = database_engine(settings)
    sessions = database_sessions(settings, engine)
    try:
        async with sessions() as session:
            names = {
                r.client.client_id: r.client.name for r in await identity.list_clients(session)
            }
            stats = await orders.intake_by_client(session)
        group = deployed_consumers(settings)[GROUP]  # keyed by name; the group id has the prefix
        tiers = len(settings.consumers.retry_delays_seconds)
        (lag,) = await groups_status(settings.kafka.connection(), sessions, [group], tiers)
    finally:
        await engine.dispose()
    clients = [
        {
            "client_id": str(s.client_id),
            "name": names.get(s.client_id, "?"),
            "accepted": s.accepted,
            "rejected": s.rejected,
            "last_seen_at": s.last_seen_at.isoformat(timespec="seconds"),
        }
        for s in stats
    ]
    group_doc = {"name": group.name, "lag": lag.lag, "dead_letters": lag.dead_letters}
    return {"clients": clients, "group": group_doc}
