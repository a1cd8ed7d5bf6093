"""The HTTP face of the SMTP sink: list and clear messages, switch the mode."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, Response

from devtools.fakes.smtp_sink import SinkMode, SmtpSink


def sink_app(sink: SmtpSink) -> FastAPI:
    """``GET /messages``, ``GET /messages/{n}.eml``, ``DELETE /messages``, ``PUT /mode/{mode}``."""
    app = FastAPI(title="orderflow SMTP sink")

    @app.get("/messages")
    async def list_messages() -> dict[str, Any]:
        return {"mode": sink.mode, "messages": [m.summary() for m in sink.messages]}

    @app.get("/messages/{number}.eml")
    async def raw_message(number: int) -> Response:
        if not 1 <= number <= len(sink.messages):
            raise HTTPException(404, f"no message {number}; there are {len(sink.messages)}")
        return Response(sink.messages[number - 1].raw, media_type="message/rfc822")

    @app.delete("/messages", status_code=204)
    async def clear_messages() -> None:
        sink.messages.clear()

    @app.put("/mode/{mode}")
    async def set_mode(mode: SinkMode) -> dict[str, str]:
        await sink.set_mode(mode)
        return {"mode": sink.mode}

    return app
