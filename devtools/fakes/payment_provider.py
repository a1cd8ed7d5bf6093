"""A fake payment provider: a small standalone ASGI app with in-memory state.

Endpoints (the contract ``domains.payments`` talks to):

- ``POST /v1/authorizations`` ``{idempotency_key, amount_minor, currency, card_token}`` →
  ``{status: authorized|declined, reference?, decline_code?}``; deduped by key.
- ``GET /v1/authorizations/{key}`` → the stored answer, 404 when the key was never seen.
- ``POST /v1/refunds`` ``{idempotency_key, authorization, amount_minor}`` → ``{reference}``.
- ``GET|PUT /_control`` the behaviour below; ``POST /_control/reset`` forgets everything.

Behaviour: ``latency_ms``; ``decline_rate`` (0..1), ``decline_tokens``, ``decline_amounts``;
``failure_mode`` ``none|timeout|error|reset`` for the next ``failure_count`` calls (all when
null) of the ``failing_operations``. ``timeout`` records the answer and then hangs for
``hang_seconds`` (the charge happened, the caller never heard); ``error`` answers 503 and
``reset`` drops the connection, both without recording anything.

Run: ``orderflow dev fake-provider --port 8099`` (``orderflow dev up`` starts it).
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send


@dataclass
class Behaviour:
    """How the fake behaves right now (``PUT /_control`` changes it)."""

    latency_ms: float = 0.0
    decline_rate: float = 0.0
    decline_tokens: list[str] = field(default_factory=lambda: ["tok_decline"])
    decline_amounts: list[int] = field(default_factory=list)
    failure_mode: str = "none"
    failure_count: int | None = None
    failing_operations: list[str] = field(default_factory=lambda: ["authorize", "refund"])
    hang_seconds: float = 30.0


class _Reset(Exception):
    """Drop the connection mid-response."""


@dataclass
class ProviderState:
    """Everything the fake remembers."""

    behaviour: Behaviour = field(default_factory=Behaviour)
    authorizations: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: int = 0

    def failure_for(self, operation: str) -> str:
        """The failure to inject into this call (``none`` most of the time)."""
        b = self.behaviour
        if b.failure_mode == "none" or operation not in b.failing_operations:
            return "none"
        if b.failure_count is not None:
            if b.failure_count <= 0:
                return "none"
            b.failure_count -= 1
        return b.failure_mode

    def decide(self, body: dict[str, Any]) -> dict[str, Any]:
        """Authorize or decline a new authorization."""
        b = self.behaviour
        declined = (
            body.get("card_token") in b.decline_tokens
            or body.get("amount_minor") in b.decline_amounts
            or random.random() < b.decline_rate  # noqa: S311  (simulation, not crypto)
        )
        if declined:
            return {"status": "declined", "decline_code": "card_declined"}
        return {"status": "authorized", "reference": f"auth_{uuid.uuid4().hex[:16]}"}


def create_provider_app(state: ProviderState | None = None) -> Starlette:
    """The fake provider as an ASGI app (``state`` lets tests look inside)."""
    provider = state or ProviderState()

    async def authorize(request: Request) -> Response:
        body = await request.json()
        key = str(body["idempotency_key"])
        failure = await _prelude(provider, "authorize")
        if failure in _NOT_RECORDED:
            return _NOT_RECORDED[failure]()
        if key not in provider.authorizations:
            provider.authorizations[key] = {**provider.decide(body), "request": body}
        answer = provider.authorizations[key]
        if answer["request"] != body:
            return JSONResponse({"error": "idempotency_key_reused"}, status_code=422)
        return await _respond(provider, failure, _public(answer))

    async def lookup(request: Request) -> Response:
        failure = await _prelude(provider, "lookup")
        if failure in _NOT_RECORDED:
            return _NOT_RECORDED[failure]()
        answer = provider.authorizations.get(request.path_params["key"])
        if answer is None:
            return JSONResponse({"error": "not_found"}, status_code=404)
        return JSONResponse(_public(answer))

    async def refund(request: Request) -> Response:
        body = await request.json()
        failure = await _prelude(provider, "refund")
        if failure in _NOT_RECORDED:
            return _NOT_RECORDED[failure]()
        known = {a.get("reference") for a in provider.authorizations.values()}
        if body.get("authorization") not in known:
            return JSONResponse({"error": "unknown_authorization"}, status_code=422)
        key = str(body["idempotency_key"])
        answer = provider.refunds.setdefault(key, {"reference": f"ref_{uuid.uuid4().hex[:16]}"})
        return await _respond(provider, failure, answer)

    async def control(request: Request) -> JSONResponse:
        if request.method == "PUT":
            provider.behaviour = Behaviour(**await request.json())
        return JSONResponse({**asdict(provider.behaviour), "calls": provider.calls})

    async def reset(request: Request) -> JSONResponse:
        provider.behaviour = Behaviour()
        provider.authorizations.clear()
        provider.refunds.clear()
        return JSONResponse({"reset": True})

    app = Starlette(
        routes=[
            Route("/v1/authorizations", authorize, methods=["POST"]),
            Route("/v1/authorizations/{key:path}", lookup, methods=["GET"]),
            Route("/v1/refunds", refund, methods=["POST"]),
            Route("/_control", control, methods=["GET", "PUT"]),
            Route("/_control/reset", reset, methods=["POST"]),
        ]
    )
    return app


async def _prelude(provider: ProviderState, operation: str) -> str:
    provider.calls += 1
    if provider.behaviour.latency_ms:
        await asyncio.sleep(provider.behaviour.latency_ms / 1000)
    return provider.failure_for(operation)


async def _respond(provider: ProviderState, failure: str, body: dict[str, Any]) -> JSONResponse:
    if failure == "timeout":
        await asyncio.sleep(provider.behaviour.hang_seconds)
    return JSONResponse(body)


def _public(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "request"}


class _DroppedConnection(Response):
    """Starts a response and dies: the server closes the socket mid-message, which the client
    sees exactly like a peer reset (an incomplete response)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise _Reset


def _unavailable() -> Response:
    return JSONResponse({"error": "unavailable"}, status_code=503)


_NOT_RECORDED: dict[str, Callable[[], Response]] = {
    "error": _unavailable,
    "reset": _DroppedConnection,
}


def serve(host: str = "127.0.0.1", port: int = 8099) -> None:
    """Run the fake provider until interrupted."""
    uvicorn.run(create_provider_app(), host=host, port=port, log_level="warning")
