"""``orderflow dev upstream --rate N --over http|kafka``: the simulator's command line."""

from __future__ import annotations

import asyncio
import enum
import json
import uuid
from typing import TYPE_CHECKING, Annotated

import typer

from orderflow.cli.errors import UserError

if TYPE_CHECKING:
    from devtools.upstream.plan import Planner


class Door(enum.StrEnum):
    """How the simulated service submits."""

    HTTP = "http"
    KAFKA = "kafka"


def upstream(
    client_id: Annotated[str, typer.Option(help="The service client's id (clients create).")],
    sku: Annotated[list[str], typer.Option(help="A SKU to order (repeat for several).")],
    rate: Annotated[float, typer.Option(help="Submissions per second.", min=0.1)] = 5.0,
    over: Annotated[Door, typer.Option(help="http (POST /v1/orders) or kafka (the topic).")] = (
        Door.HTTP
    ),
    count: Annotated[int, typer.Option(help="How many sends in all.", min=1)] = 50,
    client_secret: Annotated[
        str | None,
        typer.Option(envvar="ORDERFLOW_CLIENT_SECRET", help="For --over http (or the env)."),
    ] = None,
    api: Annotated[str, typer.Option(help="The API's base URL.")] = "http://127.0.0.1:8000",
    duplicates: Annotated[
        float, typer.Option(help="Share of duplicate sends.", min=0, max=1)
    ] = 0.1,
    bad: Annotated[float, typer.Option(help="Share of bad records.", min=0, max=1)] = 0.05,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same sends).")] = 1,
) -> None:
    """Play an upstream service: submissions with retries, duplicates and bad records; prints
    a JSON report with every external reference that should get exactly one reply."""
    try:
        source = uuid.UUID(client_id)
    except ValueError:
        raise UserError(f"--client-id {client_id!r} is not a client id (a UUID)") from None
    from devtools.upstream.plan import Planner

    planner = Planner(tuple(sku), duplicates=duplicates, bad=bad, seed=seed)
    if over is Door.HTTP and not client_secret:
        raise UserError("--over http needs --client-secret (or ORDERFLOW_CLIENT_SECRET)")
    report = asyncio.run(_simulate(over, source, client_secret or "", api, planner, count, rate))
    typer.echo(json.dumps(report, indent=2))


async def _simulate(
    over: Door,
    source: uuid.UUID,
    secret: str,
    api: str,
    planner: Planner,
    count: int,
    rate: float,
) -> dict[str, object]:
    # Imported when the command runs: `orderflow --help` loads this module (startup time).
    from devtools.upstream.over_http import simulate_over_http
    from devtools.upstream.over_kafka import simulate_over_kafka
    from events.schemas.orders.submitted import TOPIC
    from orderflow.settings import get_settings

    if over is Door.KAFKA:
        settings = get_settings()
        # The intake topic of the deployment the simulated service sends to (its namespace).
        topic = settings.deployment.namespace().topic(TOPIC)
        report = await simulate_over_kafka(
            settings.kafka.connection(), source, planner, count=count, rate=rate, topic=topic
        )
    else:
        report = await simulate_over_http(api, str(source), secret, planner, count=count, rate=rate)
    return report.to_json()
