"""``orderflow consumers``: lag per group and partition, retry tiers, dead letters, last error."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Annotated

import typer

from orderflow.cli.errors import UserError, command_group, friendly_errors, schema_up_to_date
from orderflow.cli.tables import table

if TYPE_CHECKING:
    from consumers.runtime.status import GroupStatus
    from orderflow.settings import Settings

app = command_group()


@app.command()
def status(
    group: Annotated[
        str | None, typer.Option(help="Only this consumer (name as in `orderflow consume`).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Lag per group and partition, retry-tier depths, dead-letter counts, last error."""
    from orderflow.settings import get_settings  # lazy: keeps CLI startup fast

    settings = get_settings()
    with friendly_errors(settings):
        found = asyncio.run(_status(settings, group))
    if as_json:
        typer.echo(json.dumps([g.to_json() for g in found], indent=2))
        return
    for entry in found:
        typer.echo(status_text(entry))


async def _status(settings: Settings, only: str | None) -> list[GroupStatus]:
    # Heavy (every consumer, SQLAlchemy): imported when the command runs, not at CLI startup.
    from consumers.runtime.status import groups_status
    from orderflow.wiring.connections import database_engine, database_sessions
    from orderflow.wiring.deployment import deployed_consumers

    groups = deployed_consumers(settings)
    if only is not None and only not in groups:
        raise UserError(f"unknown consumer {only!r}; choose one of: {', '.join(groups)}")
    chosen = [c for name, c in groups.items() if only in (None, name)]
    engine = database_engine(settings)
    try:
        with schema_up_to_date():
            return await groups_status(
                settings.kafka.connection(),
                database_sessions(settings, engine),
                chosen,
                len(settings.consumers.retry_delays_seconds),
            )
    finally:
        await engine.dispose()


def status_text(entry: GroupStatus) -> str:
    """What `consumers status` prints for one group."""
    lines = [f"{entry.group}: lag {entry.lag}, dead letters {entry.dead_letters}"]
    partitions = [
        (f"{p.topic}[{p.partition}]", "-" if p.committed is None else p.committed, p.end, p.lag)
        for p in entry.partitions
    ]
    headers = ("partition", "committed", "end", "lag")
    lines += ["  " + line for line in table(headers, partitions).splitlines()]
    tiers = ", ".join(f"tier {t}: {d}" for t, d in entry.retry_depths.items())
    lines.append(f"  retry tiers waiting: {tiers or 'none'}")
    lines += _infrastructure(entry)
    error = entry.last_error
    if error:
        lines.append(
            f"  last error {error['failed_at']:%Y-%m-%d %H:%M:%S %Z}: {error['reason']} "
            f"{error['exception_type']}: {error['message']} "
            f"at {error['topic']}[{error['partition']}]@{error['offset']}"
        )
    elif entry.database_error is None:
        lines.append("  last error: none")
    return "\n".join(lines)


def _infrastructure(entry: GroupStatus) -> list[str]:
    """Waits on the database or the broker, quarantined records, an unreachable database."""
    if entry.database_error is not None:
        return [
            f"  database unreachable ({entry.database_error}); consumers wait for it, "
            "last error, waits and quarantine unknown"
        ]
    lines = []
    for wait in entry.waits:
        state = f"stale, last heard {wait['updated_at']:%H:%M:%S}" if wait["stale"] else "now"
        lines.append(
            f"  waiting on infrastructure since {wait['since']:%Y-%m-%d %H:%M:%S %Z} ({state}): "
            f"{wait['cause']}, {wait['partitions']} partitions, {wait['member']}: "
            f"{wait['message']}"
        )
    if entry.quarantined:
        lines.append(
            f"  quarantined: {entry.quarantined} unresolved (see `orderflow dlq quarantine ls`)"
        )
    return lines
