"""``orderflow dlq``: inspect, replay, purge and export dead letters, safely at 3 a.m.

Every user error ends in one ``error: ...`` line on stderr and exit code 2; an interrupted
replay exits 130 and says how to resume it.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from orderflow.cli import dlq_render as render
from orderflow.cli.dlq_options import (
    GroupOpt,
    JsonOpt,
    OnlyGroupOpt,
    OperatorOpt,
    ResolvedOpt,
    Selectors,
    WhyOpt,
    deployment_groups,
    deployment_inbox_keys,
    event_id,
    full_group,
    full_topic,
    group_prefix_of,
    operator_name,
    reason_text,
)
from orderflow.cli.dlq_progress import interruptible, progress_bar
from orderflow.cli.dlq_quarantine import app as quarantine_app
from orderflow.cli.dlq_quarantine_render import quarantine_note
from orderflow.cli.errors import UserError, command_group, friendly_errors, schema_up_to_date
from orderflow.cli.options import bundled

if TYPE_CHECKING:
    from consumers.operations import (
        DeadLetterDesk,
        JobView,
        LoopGuard,
        Plan,
        ReplayRequest,
        Selection,
        SummaryRow,
    )
    from orderflow.settings import Settings

# consumers.operations, SQLAlchemy and the settings are imported inside the functions that use
# them: importing them here would slow down every `orderflow` invocation, even `--help`.

app = command_group()
app.add_typer(
    quarantine_app,
    name="quarantine",
    help="Records whose dead letter could not be written, kept in PostgreSQL.",
)
T = TypeVar("T")


@contextmanager
def _operator_errors() -> Iterator[None]:
    """Operation errors and a missing migration become a ``UserError``."""
    from consumers.operations import OperationError

    try:
        with schema_up_to_date():
            yield
    except OperationError as exc:
        raise UserError(str(exc)) from None
    except FileExistsError as exc:
        raise UserError(
            f"{exc.filename} already exists; choose another path (nothing was changed)"
        ) from None


def _execute(
    settings: Settings,
    work: Callable[[DeadLetterDesk], Awaitable[T]],
    *,
    inbox_hits: bool = False,
) -> T:
    """Run ``work`` against a desk on the configured PostgreSQL and Kafka.

    ``inbox_hits``: ``work`` counts records already in a consumer's inbox (a replay), so the
    desk gets each group's inbox key; only then, as wiring every consumer takes a while.
    """
    from consumers.operations import DeadLetterDesk
    from orderflow.wiring.connections import database_engine

    keys = deployment_inbox_keys(settings) if inbox_hits else None

    async def main() -> T:
        engine = database_engine(settings)
        try:
            connection, prefix = settings.kafka.connection(), group_prefix_of(settings)
            desk = DeadLetterDesk(engine, connection, group_prefix=prefix, inbox_keys=keys)
            return await work(desk)
        finally:
            await engine.dispose()

    with friendly_errors(settings), _operator_errors():
        return asyncio.run(main())


def _settings() -> Settings:
    from orderflow.cli.tracing import trace_process
    from orderflow.logging import configure_logging
    from orderflow.settings import get_settings

    settings = get_settings()
    configure_logging(settings.logging.level, settings.logging.format)
    trace_process("dlq")  # a replay's publish spans link to the originals
    return settings


def _selection(settings: Settings, selectors: Selectors) -> Selection:
    with _operator_errors():
        return selectors.selection(settings)


def _job_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise UserError(f"bad job id {text!r}: copy it from `orderflow dlq jobs`") from None


@app.command("ls")
def list_dead_letters(group: OnlyGroupOpt = None, as_json: JsonOpt = False) -> None:
    """Unresolved dead letters grouped by group, failure reason and event type."""
    settings = _settings()
    name = full_group(settings, group) if group else None
    ours = () if name else deployment_groups(settings)  # wiring them all takes seconds

    async def listing(desk: DeadLetterDesk) -> tuple[list[SummaryRow], dict[str, int]]:
        return await desk.summary(name, among=ours), await desk.quarantined(name)

    rows, quarantined = _execute(settings, listing)
    prefix = group_prefix_of(settings)
    if as_json:
        typer.echo(json.dumps([r.to_json() for r in rows], indent=2))
    else:
        typer.echo(render.summary(rows))
        typer.echo(quarantine_note(quarantined, prefix), nl=False)


@app.command()
def show(
    group: GroupOpt,
    partition: Annotated[int | None, typer.Option("--partition", "-p")] = None,
    offset: Annotated[int | None, typer.Option("--offset", "-o")] = None,
    event_id_text: Annotated[
        str | None, typer.Option("--event-id", help="Find by event id instead.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """One dead letter in full: where it came from, why it failed, its payload and history."""
    settings = _settings()
    name = full_group(settings, group)
    if event_id_text:
        found = uuid.UUID(event_id(event_id_text))
        details = _execute(settings, lambda desk: desk.find(name, found))
    elif partition is not None and offset is not None:
        p, o = partition, offset
        details = [_execute(settings, lambda desk: desk.show(name, p, o))]
    else:
        raise UserError("say which record: --partition P --offset O, or --event-id ID")
    if as_json:
        typer.echo(json.dumps([render.detail_json(d) for d in details], indent=2, default=str))
        return
    typer.echo("\n\n".join(render.detail(d) for d in details))


@app.command()
@bundled
def replay(
    *,
    records: Selectors,
    reason: WhyOpt,
    dry_run: Annotated[bool, typer.Option(help="Print the plan; change nothing.")] = False,
    to_topic: Annotated[
        str | None,
        typer.Option(
            help="Publish here instead of <group>.retry.1 (in the deployment's namespace)."
        ),
    ] = None,
    rate: Annotated[str | None, typer.Option(help="At most this many: 20/s or 600/m.")] = None,
    max_replays: Annotated[
        int | None, typer.Option(help="Loop guard: refuse records replayed this often.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Replay even past the loop guard.")] = False,
    include_resolved: ResolvedOpt = False,
    operator: OperatorOpt = None,
) -> None:
    """Republish selected dead letters into the group's own retry path, as a durable job."""
    from consumers.operations import LoopGuard, ReplayRequest
    from consumers.operations.conventions import retry_topic

    settings = _settings()
    why = reason_text(reason)
    selection = _selection(settings, records)
    per_second = _rate(rate)
    limit = max_replays if max_replays is not None else settings.dead_letters.max_replays
    if limit < 1:
        raise UserError("--max-replays must be at least 1 (use --force to lift the loop guard)")
    guard = LoopGuard(limit, force)
    destination = full_topic(settings, to_topic) if to_topic else retry_topic(selection.group, 1)
    request = ReplayRequest(operator_name(operator), why, destination, per_second, limit, force)
    code = _execute(
        settings,
        lambda desk: _replay(
            desk,
            selection=selection,
            guard=guard,
            request=request,
            dry_run=dry_run,
            include_resolved=include_resolved,
        ),
        inbox_hits=True,
    )
    raise typer.Exit(code)


def _rate(text: str | None) -> float | None:
    from consumers.operations import parse_rate

    with _operator_errors():
        return parse_rate(text) if text else None


async def _replay(
    desk: DeadLetterDesk,
    *,
    selection: Selection,
    guard: LoopGuard,
    request: ReplayRequest,
    dry_run: bool,
    include_resolved: bool,
) -> int:
    plan = await desk.plan(selection, guard=guard, include_resolved=include_resolved)
    if not await desk.destination_exists(request.destination):
        raise UserError(
            f"destination topic {request.destination} does not exist; start the consumer once "
            "(it creates its retry topics) or choose another with --to-topic"
        )
    typer.echo(render.plan(plan, request.destination), err=True)
    if dry_run:
        typer.echo("dry run: nothing was published or recorded", err=True)
        return 0
    job_id = await desk.create_replay(plan, request)
    typer.echo(f"job {job_id} created by {request.operator}", err=True)
    return await _run_job(desk, job_id, plan.to_send)


async def _run_job(desk: DeadLetterDesk, job_id: uuid.UUID, total: int) -> int:
    with interruptible() as stop, progress_bar(total, f"replay {job_id}") as advance:
        view = await desk.run(job_id, stop, advance)
    typer.echo(render.outcome(view))
    if view.job.status == "interrupted":
        typer.echo(f"interrupted: resume with `orderflow dlq resume {job_id}`", err=True)
        return 130
    return 0 if not view.outcomes.get("failed") else 1


@app.command()
def resume(job: Annotated[str, typer.Argument(help="The job id (see `dlq jobs`).")]) -> None:
    """Continue an interrupted replay job where it stopped (nothing is sent twice)."""
    settings = _settings()
    job_id = _job_id(job)

    async def work(desk: DeadLetterDesk) -> int:
        view = await desk.job(job_id)
        pending = view.outcomes.get("pending", 0)
        return await _run_job(desk, job_id, pending)

    raise typer.Exit(_execute(settings, work, inbox_hits=True))


@app.command()
def jobs(
    group: OnlyGroupOpt = None,
    limit: Annotated[int, typer.Option(min=1, help="How many, newest first.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Replay and purge jobs, newest first, with their progress."""
    settings = _settings()
    name = full_group(settings, group) if group else None
    views = _execute(settings, lambda desk: desk.jobs(name, limit))
    if as_json:
        typer.echo(json.dumps([render.job_json(v) for v in views], indent=2))
    else:
        typer.echo(render.jobs(views))


@app.command()
def cancel(
    job: Annotated[str, typer.Argument(help="The job id (see `dlq jobs`).")],
    operator: OperatorOpt = None,
) -> None:
    """Cancel a replay job: a running one stops after its current batch."""
    settings = _settings()
    job_id = _job_id(job)
    view: JobView = _execute(settings, lambda desk: desk.cancel(job_id, operator_name(operator)))
    typer.echo(render.outcome(view))


@app.command()
@bundled
def purge(
    *,
    records: Selectors,
    reason: WhyOpt,
    export: Annotated[
        Path | None, typer.Option(help="JSONL copy (default: ./dlq-purge-<group>-<time>.jsonl).")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    operator: OperatorOpt = None,
) -> None:
    """Mark selected dead letters resolved, after writing them to a JSONL file."""
    settings = _settings()
    why = reason_text(reason)
    selection = _selection(settings, records)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = export or Path(f"dlq-purge-{selection.group}-{stamp}.jsonl")
    if not yes and not sys.stdin.isatty():
        raise UserError("purge needs confirmation: run it in a terminal or pass --yes")
    who = operator_name(operator)

    async def work(desk: DeadLetterDesk) -> JobView | None:
        plan = await desk.plan(selection)
        if not yes and not _confirm_purge(plan, path):
            return None
        return await desk.purge(plan, operator=who, reason=why, export_to=path)

    view = _execute(settings, work)
    if view is None:
        raise UserError("purge aborted; nothing was changed", exit_code=1)
    typer.echo(render.outcome(view))
    typer.echo(f"exported to {path}", err=True)


def _confirm_purge(plan: Plan, path: Path) -> bool:
    typer.echo(f"{plan.total} dead letters match {plan.selection.describe()}", err=True)
    return typer.confirm(f"Export them to {path} and mark them resolved?", err=True)


@app.command("export")
@bundled
def export_dead_letters(
    *,
    records: Selectors,
    output: Annotated[str, typer.Option("--output", "-o", help="A new file, or - for stdout.")],
    include_resolved: ResolvedOpt = False,
    operator: OperatorOpt = None,
) -> None:
    """Write selected dead letters as JSON lines; nothing is resolved."""
    settings = _settings()
    selection = _selection(settings, records)
    who = operator_name(operator)

    async def work(desk: DeadLetterDesk) -> int:
        plan = await desk.plan(selection, include_resolved=include_resolved)
        target = sys.stdout if output == "-" else Path(output)
        return await desk.export(plan, operator=who, to=target)

    count = _execute(settings, work)
    typer.echo(f"exported {count} dead letters to {output}", err=True)
