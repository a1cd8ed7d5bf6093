"""``orderflow dev fake-carrier``: the in-memory parcel carrier for development and tests."""

from __future__ import annotations

from typing import Annotated

import typer


def fake_carrier(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8097,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
) -> None:
    """Run the fake carrier (configure failures and delivery time via PUT /_control)."""
    from orderflow.fakes.carrier import serve  # lazy: keeps CLI startup fast

    serve(host, port)
