"""``orderflow dlq quarantine``: records whose dead letter could not be written.

The consumer runtime keeps such a record in PostgreSQL (``messaging.quarantine``) — its copy
was larger than the broker accepts, or its headers could not be built — and moves on. These
commands list and show them, replay them to the group's first retry tier once they fit,
export them as JSON lines, and purge them (after an export). Every action is audited like the
rest of ``orderflow dlq``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from orderflow.cli import dlq_quarantine_render as render
from orderflow.cli.dlq_options import (
    JsonOpt,
    OnlyGroupOpt,
    OperatorOpt,
    WhyOpt,
    full_group,
    group_prefix_of,
    operator_name,
    reason_text,
)
from orderflow.cli.errors import UserError, command_group, friendly_errors, schema_up_to_date

if TYPE_CHECKING:
    from consumers.operations.quarantine import QuarantineDesk
    from consumers.operations.quarantine_records import QuarantinedRecord
    from orderflow.settings import Settings

app = command_group()
T = TypeVar("T")

IdsArg = Annotated[
    list[str] | None, typer.Argument(help="Quarantined record ids (see `quarantine ls`).")
]
GroupOfOpt = Annotated[
    str | None, typer.Option("--group", "-g", help="Every unresolved record of this group.")
]
AllOpt = Annotated[bool, typer.Option("--all", help="Also records already replayed or purged.")]


def _run(settings: Settings, work: Callable[[QuarantineDesk], Awaitable[T]]) -> T:
    """Run ``work`` against the quarantine desk on the configured PostgreSQL and Kafka."""
    from consumers.operations import OperationError
    from consumers.operations.quarantine import QuarantineDesk
    from orderflow.wiring.connections import database_engine

    async def main() -> T:
        engine = database_engine(settings)
        try:
            return await work(QuarantineDesk(engine, settings.kafka.connection()))
        finally:
            await engine.dispose()

    with friendly_errors(settings), schema_up_to_date():
        try:
            return asyncio.run(main())
        except OperationError as exc:
            raise UserError(str(exc)) from None
        except FileExistsError as exc:
            raise UserError(f"{exc.filename} already exists; choose another path") from None


def _settings() -> Settings:
    from orderflow.logging import configure_logging
    from orderflow.settings import get_settings

    settings = get_settings()
    configure_logging(settings.logging.level, settings.logging.format)
    return settings


async def _chosen(
    desk: QuarantineDesk,
    settings: Settings,
    ids: Sequence[str] | None,
    group: str | None,
    *,
    include_resolved: bool = False,
) -> list[QuarantinedRecord]:
    """The records named by id, else every unresolved one of ``group``."""
    from consumers.operations import EmptySelection
    from consumers.operations.quarantine import parse_ids

    if not ids and not group:
        raise UserError(
            "say which records: their ids (see `orderflow dlq quarantine ls`), "
            "or --group G for every unresolved one of a group"
        )
    name = full_group(settings, group) if group else None
    found = await desk.records(
        group=name, ids=parse_ids(ids or []), include_resolved=include_resolved
    )
    if not found:
        raise EmptySelection(f"no unresolved quarantined record in group {name}")
    return found


@app.command("ls")
def list_quarantined(
    group: OnlyGroupOpt = None, include_resolved: AllOpt = False, as_json: JsonOpt = False
) -> None:
    """Quarantined records (unresolved unless --all), oldest first."""
    settings = _settings()
    name = full_group(settings, group) if group else None
    found = _run(settings, lambda desk: desk.records(group=name, include_resolved=include_resolved))
    prefix = group_prefix_of(settings)
    found = [r for r in found if r.group.startswith(prefix)]
    if as_json:
        typer.echo(json.dumps([render.summary_json(r) for r in found], indent=2))
    else:
        typer.echo(render.table_of(found, include_resolved))


@app.command()
def show(
    ids: Annotated[list[str], typer.Argument(help="Record ids.")], as_json: JsonOpt = False
) -> None:
    """Quarantined records in full: where from, why, their headers and payload."""
    settings = _settings()

    async def work(desk: QuarantineDesk) -> list[QuarantinedRecord]:
        return await _chosen(desk, settings, ids, None, include_resolved=True)

    found = _run(settings, work)
    if as_json:
        typer.echo(json.dumps([r.to_json() for r in found], indent=2))
    else:
        typer.echo("\n\n".join(render.detail(r) for r in found))


@app.command()
def replay(
    ids: IdsArg = None,
    *,
    group: GroupOfOpt = None,
    reason: WhyOpt,
    dry_run: Annotated[bool, typer.Option(help="Say what would happen; change nothing.")] = False,
    max_replays: Annotated[
        int | None, typer.Option(help="Loop guard: refuse records replayed this often.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Replay even past the loop guard.")] = False,
    operator: OperatorOpt = None,
) -> None:
    """Republish quarantined records to their group's first retry tier, if they now fit."""
    settings = _settings()
    why, who = reason_text(reason), operator_name(operator)
    limit = 10**9 if force else (max_replays or settings.dead_letters.max_replays)

    async def work(desk: QuarantineDesk) -> tuple[int, list[str]]:
        found = await _chosen(desk, settings, ids, group)
        outcome = await desk.replay(
            found, operator=who, reason=why, max_replays=limit, dry_run=dry_run
        )
        lines = [f"{'would replay' if dry_run else 'replayed'} {len(outcome.replayed)}"]
        lines += [f"refused {rid}: {why_not}" for rid, why_not in outcome.refused.items()]
        return (1 if outcome.refused else 0), lines

    code, lines = _run(settings, work)
    typer.echo("\n".join(lines))
    raise typer.Exit(code)


@app.command("export")
def export_quarantined(
    ids: IdsArg = None,
    *,
    group: GroupOfOpt = None,
    output: Annotated[str, typer.Option("--output", "-o", help="A new file, or - for stdout.")],
    include_resolved: AllOpt = False,
    operator: OperatorOpt = None,
) -> None:
    """Write quarantined records (every byte, base64) as JSON lines; nothing is resolved."""
    settings = _settings()
    who = operator_name(operator)

    async def work(desk: QuarantineDesk) -> int:
        found = await _chosen(desk, settings, ids, group, include_resolved=include_resolved)
        target = sys.stdout if output == "-" else Path(output)
        return await desk.export(found, operator=who, to=target)

    count = _run(settings, work)
    typer.echo(f"exported {count} quarantined records to {output}", err=True)


@app.command()
def purge(
    ids: IdsArg = None,
    *,
    group: GroupOfOpt = None,
    reason: WhyOpt,
    export: Annotated[
        Path | None,
        typer.Option(help="JSONL copy (default: ./quarantine-purge-<time>.jsonl)."),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    operator: OperatorOpt = None,
) -> None:
    """Mark quarantined records resolved, after writing them to a JSONL file."""
    settings = _settings()
    why, who = reason_text(reason), operator_name(operator)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = export or Path(f"quarantine-purge-{stamp}.jsonl")
    if not yes and not sys.stdin.isatty():
        raise UserError("purge needs confirmation: run it in a terminal or pass --yes")

    async def work(desk: QuarantineDesk) -> int | None:
        found = await _chosen(desk, settings, ids, group)
        question = f"Export {len(found)} quarantined records to {path} and mark them purged?"
        if not yes and not typer.confirm(question, err=True):
            return None
        return await desk.purge(found, operator=who, reason=why, export_to=path)

    purged = _run(settings, work)
    if purged is None:
        raise UserError("purge aborted; nothing was changed", exit_code=1)
    typer.echo(f"purged {purged}; exported to {path}")
