"""``orderflow fulfillment unknown-parcels``: the shipped parcels the carrier says it does not
have, which delivery tracking asks about later and later (runbook: ParcelsUnknownToCarrier)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from orderflow.cli.errors import command_group, friendly_errors, schema_up_to_date
from orderflow.cli.tables import table

if TYPE_CHECKING:
    from domains.fulfillment.api import LostParcel
    from orderflow.settings import Settings

app = command_group()

COLUMNS = ["shipment", "order", "carrier", "tracking", "shipped", "answers", "asked", "next"]


@app.callback()
def fulfillment() -> None:
    """Fulfillment: shipments and delivery tracking."""


@app.command("unknown-parcels")
def unknown_parcels(
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Shipped parcels whose last answer from the carrier was "no such parcel", the most
    answers in a row first, with when tracking asks about each again."""
    from orderflow.settings import get_settings  # lazy: keeps CLI startup fast

    settings = get_settings()
    with friendly_errors(settings), schema_up_to_date():
        parcels = asyncio.run(_parcels(settings, limit))
    if as_json:
        typer.echo(json.dumps([_document(p) for p in parcels], indent=2))
        return
    if not parcels:
        typer.echo("The carrier knows every shipped parcel.")
        return
    rows = [["-" if v is None else v for v in _document(p).values()] for p in parcels]
    typer.echo(table(COLUMNS, rows))


async def _parcels(settings: Settings, limit: int) -> list[LostParcel]:
    from domains.fulfillment import api as fulfillment
    from orderflow.wiring.connections import database_engine, database_sessions

    engine = database_engine(settings)
    try:
        async with database_sessions(settings, engine)() as session:
            return await fulfillment.parcels_unknown(session, limit=limit)
    finally:
        await engine.dispose()


def _document(parcel: LostParcel) -> dict[str, Any]:
    return {
        "shipment_id": str(parcel.shipment_id),
        "order_id": str(parcel.order_id),
        "carrier": parcel.carrier or "-",
        "tracking_number": parcel.tracking_number or "-",
        "shipped_at": _time(parcel.shipped_at),
        "unknown_answers": parcel.unknown_answers,
        "last_asked_at": _time(parcel.last_asked_at),
        "next_question_at": _time(parcel.next_question_at),
    }


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None
