"""``orderflow events``: list, show, check and export the event contracts."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from orderflow.cli.errors import UserError, command_group
from orderflow.cli.tables import table

if TYPE_CHECKING:
    from events.contracts.consumers import ConsumerContract
    from events.registry import EventRegistry, EventSpec

# The commands import ``events.contracts`` (which registers every event: pydantic models,
# JSON Schemas) when they run, so that the CLI starts fast.

app = command_group()


def _registry() -> EventRegistry:
    """The registry with every event registered."""
    import events.contracts  # noqa: F401  (registers every event)
    from events.registry import registry

    return registry


@app.command("list")
def list_events() -> None:
    """Every registered event version with its topic and key (* = written today)."""
    registry = _registry()
    rows = [
        (
            "*" if registry.latest(spec.event_type, topic=spec.topic) is spec else " ",
            spec.event_type,
            f"v{spec.version}",
            spec.topic,
            f"key={spec.key_field}",
        )
        for spec in registry
    ]
    typer.echo(table(None, rows))


@app.command()
def show(
    event_type: Annotated[str, typer.Argument(help="e.g. orders.OrderPlaced")],
    version: Annotated[int | None, typer.Option(help="Default: the newest.")] = None,
    schema: Annotated[bool, typer.Option("--schema", help="Print the JSON Schema.")] = False,
) -> None:
    """One event: topic, key, versions and fields (or its JSON Schema)."""
    from events.contracts import flatten_fields, schema_document

    registry = _registry()
    spec = _resolve(event_type, version)
    if schema:
        typer.echo(json.dumps(schema_document(spec), indent=2))
        return
    versions = ", ".join(f"v{s.version}" for s in registry.versions(spec.event_type))
    typer.echo(f"{spec.event_type} v{spec.version}  ({spec.ce_type})")
    typer.echo(f"topic: {spec.topic}  key: {spec.key_field}  versions: {versions}")
    typer.echo(inspect.cleandoc(spec.model.__doc__ or ""))
    typer.echo("fields:")
    for field in flatten_fields(spec.model.model_json_schema()).values():
        required = "required" if field.required else "optional"
        typer.echo(f"  {field.path:<28} {field.type_label:<24} {required}")


def _resolve(event_type: str, version: int | None) -> EventSpec:
    from events.registry import UnknownEventType, UnknownEventVersion

    registry = _registry()
    try:
        if version is None:
            return registry.latest(event_type)
        return registry.lookup(event_type, version)
    except UnknownEventVersion as exc:
        versions = ", ".join(f"v{s.version}" for s in registry.versions(event_type))
        raise UserError(f"{exc}; it has: {versions}") from None
    except UnknownEventType as exc:
        known = ", ".join(registry.event_types())
        raise UserError(f"{exc}; known event types: {known}") from None


@app.command()
def check(
    schema_dir: Annotated[
        Path | None, typer.Option(help="Check these schema files (e.g. a proposed change).")
    ] = None,
    consumers_dir: Annotated[
        Path | None, typer.Option(help="Consumer contracts (default: contracts/consumers).")
    ] = None,
) -> None:
    """The compatibility gate over the committed JSON Schemas, drift from the models, and every
    registered consumer's contract."""
    from events.contracts import SCHEMA_DIR, check_history, find_drift, read_committed
    from events.contracts.compatibility import FIX

    registry = _registry()
    documents = read_committed() if schema_dir is None else read_committed(schema_dir)
    drift = find_drift(schema_dir or SCHEMA_DIR)
    violations = check_history(documents)
    breaks = _consumer_breaks(documents, consumers_dir)
    for problem in drift:
        typer.echo(f"DRIFT     {problem}", err=True)
    for violation in violations:
        typer.echo(f"BREAKING  {violation}", err=True)
    for broken in breaks:
        typer.echo(f"CONSUMER  {broken}", err=True)
    if violations or breaks:
        typer.echo(f"hint: {FIX}.", err=True)
    if drift or violations or breaks:
        typer.echo(
            f"events check failed: {len(violations)} incompatibility(ies), "
            f"{len(breaks)} broken consumer contract(s), {len(drift)} schema file(s) out of date",
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(
        f"events check passed: {sum(1 for _ in registry)} event versions compatible, "
        "every registered consumer served"
    )


def _consumer_breaks(documents: list[dict[str, Any]], directory: Path | None) -> list[str]:
    from events.contracts.consumers import CONSUMERS_DIR, check_consumers

    return [str(b) for b in check_consumers(documents, _contracts(directory or CONSUMERS_DIR))]


def _contracts(directory: Path) -> list[ConsumerContract]:
    from events.contracts.consumers import ContractFileError, load_contracts

    try:
        return load_contracts(directory)
    except ContractFileError as exc:
        raise UserError(f"consumer contract {exc}; see contracts/consumers/README.md") from None


@app.command()
def consumers(
    event: Annotated[str | None, typer.Option(help="Only readers of this event type.")] = None,
) -> None:
    """Who reads what: every registered team's subscriptions and the fields they use."""
    from events.contracts.consumers import CONSUMERS_DIR, readers

    lines = readers(_contracts(CONSUMERS_DIR), event)
    if not lines:
        nobody = f"no registered consumer reads {event}" if event else "no consumer is registered"
        raise UserError(nobody, exit_code=1)
    typer.echo(f"{'team':<16} {'topic':<24} {'event':<28} {'versions':<8} fields")
    for line in lines:
        typer.echo(line)


@app.command()
def export() -> None:
    """Write the JSON Schema of every event version to events/schemas/json/."""
    from events.contracts import write_schemas

    written = write_schemas()
    for name in written:
        typer.echo(f"wrote events/schemas/json/{name}")
    typer.echo(f"{len(written)} schema file(s) written" if written else "schemas are up to date")
