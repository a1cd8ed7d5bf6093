"""``orderflow outbox``: status, republish, unpark."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from orderflow.cli.errors import UserError, command_group, friendly_errors
from orderflow.cli.tables import table
from orderflow.cli.times import parse_time

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

# SQLAlchemy, the settings and the outbox package are imported inside the commands: importing
# them here would slow down every `orderflow` invocation, even `--help`.

app = command_group()
T = TypeVar("T")


def _with_engine(action: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    from orderflow.settings import get_settings
    from orderflow.wiring.connections import database_engine

    settings = get_settings()

    async def main() -> T:
        engine = database_engine(settings)
        try:
            return await action(engine)
        finally:
            await engine.dispose()

    with friendly_errors(settings):
        return asyncio.run(main())


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Depth, oldest unpublished age, parked rows, per-topic counts and lane owners."""
    from outbox.inspect import outbox_status

    async def read(engine: AsyncEngine) -> dict[str, object]:
        async with engine.connect() as conn:
            return await outbox_status(conn)

    report = _with_engine(read)
    if as_json:
        typer.echo(json.dumps(report, default=str, indent=2))
    else:
        typer.echo(render_status(report))


def render_status(report: dict[str, Any]) -> str:
    """The human view of ``status``."""
    topics = [(t["topic"], t["pending"], t["parked"], t["published"]) for t in report["topics"]]
    lines = [
        f"depth {report['depth']}   oldest unpublished {report['oldest_unpublished_age_seconds']}"
        f" s   parked {report['parked']}   held behind parked {report['held_behind_parked']}",
        "",
        table(("topic", "pending", "parked", "published (retained)"), topics),
    ]
    if report["parked_rows"]:
        lines += ["", "parked rows (fix the cause, then `orderflow outbox unpark`):"]
        for p in report["parked_rows"]:
            lines.append(
                f"  #{p['id']} {p['topic']} key={p['key']} v{p['aggregate_version']}"
                f" attempts={p['attempts']} parked {p['parked_at']:%Y-%m-%d %H:%M:%S}:"
                f" {p['last_error']}"
            )
    lines += ["", *_render_lanes(report["lanes"], report["lane_count"])]
    return "\n".join(lines)


def _render_lanes(lanes: list[dict[str, Any]], lane_count: int) -> list[str]:
    owners: dict[tuple[str, int], list[int]] = {}
    for lane in lanes:
        owners.setdefault((lane["application_name"], lane["backend_pid"]), []).append(lane["lane"])
    lines = [f"lanes ({lane_count}):"]
    for (name, pid), held in sorted(owners.items()):
        lines.append(f"  {name or '?'} (backend {pid}): {len(held)} lanes {held}")
    unowned = sorted(set(range(lane_count)) - {lane["lane"] for lane in lanes})
    if unowned:
        lines.append(f"  not held by any relay: {unowned}")
    return lines


def _in_namespace(topic: str) -> str:
    """The topic on the wire: the deployment's prefix is added when missing."""
    from orderflow.settings import get_settings

    return get_settings().deployment.namespace().within(topic)


@app.command()
def republish(
    aggregate: Annotated[
        str | None, typer.Option(help="Re-send every retained event of this aggregate id.")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Re-send events created since (ISO 8601, or 30m/2h/1d).")
    ] = None,
    topic: Annotated[
        str | None,
        typer.Option(help="Only this topic, as the contracts name it (orders.order.v1)."),
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Only count what would be re-sent.")] = False,
) -> None:
    """Re-send retained (already published) events, same event ids: consumers dedupe them."""
    from outbox.republish import RepublishFilter, count_retained, requeue_published

    if aggregate is None and since is None:
        raise UserError("say what to republish: --aggregate ID and/or --since TIME")
    where = RepublishFilter(
        aggregate=aggregate,
        since=parse_time(since, option="--since") if since else None,
        topic=_in_namespace(topic) if topic else None,
    )
    matching = _with_engine(lambda engine: count_retained(engine, where))
    if matching == 0:
        raise UserError(
            "no retained published events match (unknown aggregate, or older than the "
            "retention window ORDERFLOW_RELAY_RETENTION_HOURS)"
        )
    if dry_run:
        typer.echo(f"would republish {matching} events")
        return
    requeued = _with_engine(lambda engine: requeue_published(engine, where))
    typer.echo(f"re-queued {requeued} events; running relays publish them in order")


@app.command("unpark")
def unpark_rows(
    ids: Annotated[
        list[int] | None, typer.Option("--id", help="Outbox row id (repeatable).")
    ] = None,
    all_rows: Annotated[bool, typer.Option("--all", help="Every parked row.")] = False,
) -> None:
    """Put parked rows back in the queue after fixing the cause (say, a topic size limit)."""
    from outbox.republish import unpark

    if not ids and not all_rows:
        raise UserError("say which rows: --id N (repeatable) or --all")
    count = _with_engine(lambda engine: unpark(engine, None if all_rows else ids))
    if count == 0:
        raise UserError("no parked rows matched; see `orderflow outbox status`")
    typer.echo(f"re-queued {count} parked rows")
