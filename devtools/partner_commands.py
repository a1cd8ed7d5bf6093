"""``orderflow dev fake-provider | fake-carrier | smtp-sink``: one fake partner per process."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from devtools.fakes.smtp_sink_mode import SinkMode

HostOption = Annotated[str, typer.Option(help="Interface to bind.")]


def fake_provider(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8099,
    host: HostOption = "127.0.0.1",
) -> None:
    """Run the in-memory fake payment provider (configure it via PUT /_control)."""
    from devtools.fakes.payment_provider import serve  # lazy: keeps CLI startup fast

    serve(host, port)


def fake_carrier(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8097,
    host: HostOption = "127.0.0.1",
) -> None:
    """Run the fake carrier (configure failures and delivery time via PUT /_control)."""
    from devtools.fakes.carrier import serve  # lazy: keeps CLI startup fast

    serve(host, port)


def smtp_sink(
    port: Annotated[int, typer.Option(help="SMTP port (ORDERFLOW_SMTP_PORT points here).")] = 1025,
    http_port: Annotated[int, typer.Option(help="HTTP API: GET /messages, PUT /mode/…")] = 1080,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    folder: Annotated[
        Path | None, typer.Option(help="Also write each message as an .eml file here.")
    ] = None,
    mode: Annotated[SinkMode, typer.Option(help="Initial behaviour.")] = SinkMode.ACCEPT,
) -> None:
    """Run an SMTP server that stores what it receives (Ctrl-C stops it)."""
    typer.echo(
        f"smtp-sink: SMTP {host}:{port}  messages http://{host}:{http_port}/messages", err=True
    )
    try:
        asyncio.run(_serve_sink(host, port, http_port, folder, mode))
    except KeyboardInterrupt:
        pass
    except OSError as error:
        typer.echo(f"error: cannot listen: {error} — choose other ports", err=True)
        raise typer.Exit(1) from None


async def _serve_sink(
    host: str, port: int, http_port: int, folder: Path | None, mode: SinkMode
) -> None:
    # aiosmtpd, uvicorn and the HTTP app are imported when the sink runs (CLI startup time).
    import uvicorn

    from devtools.fakes.smtp_sink import SmtpSink
    from devtools.fakes.smtp_sink_http import sink_app

    sink = await SmtpSink(host, port, folder).start()
    await sink.set_mode(mode)
    config = uvicorn.Config(
        sink_app(sink), host=host, port=http_port, log_config=None, access_log=False
    )
    try:
        await uvicorn.Server(config).serve()
    finally:
        await sink.stop()
