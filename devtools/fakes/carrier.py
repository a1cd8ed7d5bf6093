"""A fake parcel carrier: a small standalone ASGI app with in-memory state.

Endpoints (the contract ``consumers.fulfillment.carrier`` talks to):

- ``POST /v1/parcels`` ``{reference, order_id}`` → ``{reference, carrier, tracking_number,
  status}``; deduped by ``reference`` (our shipment id), so a retried booking is the same parcel.
- ``GET /v1/parcels`` → ``{parcels: [...]}``, every parcel booked so far (``?order_id=`` filters).
- ``GET /v1/parcels/{reference}`` → the parcel; its status turns from ``in_transit`` to
  ``delivered`` ``deliver_after_seconds`` after booking. 404 when never booked.
- ``DELETE /v1/parcels/{reference}`` → void a booking not delivered yet (idempotent; 404 if
  never booked, 409 once delivered).
- ``GET|PUT /_control`` the behaviour below; ``POST /_control/reset`` forgets everything.

Behaviour: ``latency_ms``; ``failure_mode`` ``none|error|timeout`` for the next
``failure_count`` calls (all when null) of the ``failing_operations`` (``book``, ``track``,
``void``): ``error`` answers 503, ``timeout`` hangs for ``hang_seconds`` before answering.

Run: ``orderflow dev fake-carrier --port 8097`` (``orderflow dev up`` starts it).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

CARRIER = "fakecarrier"


@dataclass
class Behaviour:
    """How the fake behaves right now (``PUT /_control`` changes it)."""

    latency_ms: float = 0.0
    deliver_after_seconds: float = 1.0
    failure_mode: str = "none"
    failure_count: int | None = None
    failing_operations: list[str] = field(default_factory=lambda: ["book", "track", "void"])
    hang_seconds: float = 30.0


@dataclass
class CarrierState:
    """Everything the fake remembers; tests may change ``behaviour`` directly."""

    behaviour: Behaviour = field(default_factory=Behaviour)
    parcels: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    failures: int = 0

    def failure_for(self, operation: str) -> str:
        """The failure to inject into this call (``none`` most of the time)."""
        self.calls[operation] = self.calls.get(operation, 0) + 1
        b = self.behaviour
        if b.failure_mode == "none" or operation not in b.failing_operations:
            return "none"
        if b.failure_count is not None:
            if b.failure_count <= 0:
                return "none"
            b.failure_count -= 1
        self.failures += 1
        return b.failure_mode

    def view(self, reference: str) -> dict[str, Any]:
        """The parcel as the API shows it, delivered once its time has come."""
        parcel = self.parcels[reference]
        due = parcel["booked_at"] + self.behaviour.deliver_after_seconds
        if parcel["status"] == "in_transit" and time.time() >= due:
            parcel["status"] = "delivered"
            parcel["delivered_at"] = time.time()
        return {k: v for k, v in parcel.items() if k != "booked_at"}


def create_carrier_app(state: CarrierState | None = None) -> Starlette:
    """The fake carrier as an ASGI app (``state`` lets tests look inside and steer it)."""
    carrier = state or CarrierState()

    async def book(request: Request) -> Response:
        body = await request.json()
        if (failed := await _inject(carrier, "book")) is not None:
            return failed
        reference = str(body["reference"])
        carrier.parcels.setdefault(reference, _new_parcel(reference, str(body["order_id"])))
        return JSONResponse(carrier.view(reference), status_code=201)

    async def parcels(request: Request) -> JSONResponse:
        wanted = request.query_params.get("order_id")
        views = [carrier.view(reference) for reference in list(carrier.parcels)]
        return JSONResponse({"parcels": [v for v in views if wanted in (None, v["order_id"])]})

    async def track(request: Request) -> Response:
        if (failed := await _inject(carrier, "track")) is not None:
            return failed
        reference = request.path_params["reference"]
        if reference not in carrier.parcels:
            return JSONResponse({"error": "unknown_parcel"}, status_code=404)
        return JSONResponse(carrier.view(reference))

    async def void(request: Request) -> Response:
        if (failed := await _inject(carrier, "void")) is not None:
            return failed
        reference = request.path_params["reference"]
        if reference not in carrier.parcels:
            return JSONResponse({"error": "unknown_parcel"}, status_code=404)
        parcel = carrier.view(reference)
        if parcel["status"] == "delivered":
            return JSONResponse({"error": "already_delivered"}, status_code=409)
        carrier.parcels[reference]["status"] = "voided"
        return JSONResponse(carrier.view(reference))

    async def control(request: Request) -> JSONResponse:
        if request.method == "PUT":
            carrier.behaviour = Behaviour(**await request.json())
        return JSONResponse({**asdict(carrier.behaviour), "calls": carrier.calls})

    async def reset(request: Request) -> JSONResponse:
        carrier.behaviour = Behaviour()
        carrier.parcels.clear()
        carrier.calls.clear()
        return JSONResponse({"reset": True})

    return Starlette(
        routes=[
            Route("/v1/parcels", book, methods=["POST"]),
            Route("/v1/parcels", parcels, methods=["GET"]),
            Route("/v1/parcels/{reference}", track, methods=["GET"]),
            Route("/v1/parcels/{reference}", void, methods=["DELETE"]),
            Route("/_control", control, methods=["GET", "PUT"]),
            Route("/_control/reset", reset, methods=["POST"]),
        ]
    )


def _new_parcel(reference: str, order_id: str) -> dict[str, Any]:
    return {
        "reference": reference,
        "order_id": order_id,
        "carrier": CARRIER,
        "tracking_number": f"FC{uuid.uuid4().hex[:12].upper()}",
        "status": "in_transit",
        "booked_at": time.time(),
        "delivered_at": None,
    }


async def _inject(carrier: CarrierState, operation: str) -> Response | None:
    """Latency and the configured failure; None when the call should go through."""
    b = carrier.behaviour
    if b.latency_ms:
        await asyncio.sleep(b.latency_ms / 1000)
    failure = carrier.failure_for(operation)
    if failure == "timeout":
        await asyncio.sleep(b.hang_seconds)
        return JSONResponse({"error": "timeout"}, status_code=504)
    if failure == "error":
        return JSONResponse({"error": "unavailable"}, status_code=503)
    return None


def serve(host: str = "127.0.0.1", port: int = 8097) -> None:
    """Run the fake carrier until interrupted."""
    uvicorn.run(create_carrier_app(), host=host, port=port, log_level="warning")
