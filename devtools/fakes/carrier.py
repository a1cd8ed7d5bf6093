"""A fake parcel carrier: a small standalone ASGI app with in-memory state.

Endpoints (the contract ``consumers.fulfillment.carrier`` talks to):

- ``POST /v1/parcels`` ``{reference, order_id}`` → ``{reference, order_id, carrier,
  tracking_number, status}``, status ``booked`` (a label; nothing left the warehouse); deduped by
  ``reference`` (our shipment id), so a retried booking is the same parcel.
- ``POST /v1/parcels/{reference}/handover`` → the carrier took the parcel: ``in_transit``, and
  ``delivered`` ``deliver_after_seconds`` later. 404 never booked, 409 ``voided``.
- ``DELETE /v1/parcels/{reference}`` → void a booking that was not handed over (``voided``;
  again: the same). 404 never booked; 409 ``already_shipped`` / ``already_delivered`` with the
  ``parcel`` once the carrier has it: it cannot be called back any more.
- ``GET /v1/parcels/{reference}`` → the parcel; ``GET /v1/parcels`` → ``{parcels: [...]}``, every
  parcel booked so far (``?order_id=`` filters).
- ``GET|PUT /_control`` the behaviour below; ``POST /_control/reset`` forgets everything.

An ``Idempotency-Key`` header makes a call idempotent the way payment APIs do it: the first
answer to a key is stored, and the same call with the same key gets that answer again without
doing anything; another call with a used key is ``422 idempotency_key_reused``.

Behaviour: ``latency_ms``; ``failure_mode`` ``none|error|timeout`` for the next
``failure_count`` calls (all when null) of the ``failing_operations`` (``book``, ``handover``,
``track``, ``void``): ``error`` answers 503 and does nothing; ``timeout`` does the work, stores
the answer, then hangs for ``hang_seconds`` (the caller never hears that it happened).

Run: ``orderflow dev fake-carrier --port 8097`` (``orderflow dev up`` starts it).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

CARRIER = "fakecarrier"
OPERATIONS = ["book", "handover", "track", "void"]
Answer = tuple[int, dict[str, Any]]


@dataclass
class Behaviour:
    """How the fake behaves right now (``PUT /_control`` changes it)."""

    latency_ms: float = 0.0
    deliver_after_seconds: float = 1.0
    failure_mode: str = "none"
    failure_count: int | None = None
    failing_operations: list[str] = field(default_factory=lambda: list(OPERATIONS))
    hang_seconds: float = 30.0


@dataclass
class CarrierState:
    """Everything the fake remembers; tests may change ``behaviour`` directly."""

    behaviour: Behaviour = field(default_factory=Behaviour)
    parcels: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    performed: dict[str, int] = field(default_factory=dict)
    answers: dict[str, tuple[str, Answer]] = field(default_factory=dict)
    replayed: int = 0
    failures: int = 0

    def received(self, operation: str) -> None:
        """Count a call as it arrives (before any latency)."""
        self.calls[operation] = self.calls.get(operation, 0) + 1

    def failure_for(self, operation: str) -> str:
        """The failure to inject into this call (``none`` most of the time)."""
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
        handed_over_at = parcel["handed_over_at"]
        due = (handed_over_at or 0) + self.behaviour.deliver_after_seconds
        if parcel["status"] == "in_transit" and time.time() >= due:
            parcel["status"] = "delivered"
            parcel["delivered_at"] = time.time()
        return {k: v for k, v in parcel.items() if k not in ("booked_at", "handed_over_at")}

    def once(self, key: str | None, call: str, perform: Callable[[], Answer]) -> Answer:
        """``perform`` unless ``key`` answered this ``call`` before (then that answer again)."""
        if key is None:
            return perform()
        if key in self.answers:
            seen, answer = self.answers[key]
            if seen != call:
                return 422, {"error": "idempotency_key_reused"}
            self.replayed += 1
            return answer
        answer = perform()
        self.answers[key] = (call, answer)
        return answer

    def book(self, reference: str, order_id: str) -> Answer:
        """A label for ``reference`` (the one booked before, if any)."""
        if reference not in self.parcels:
            self._count("book")
            self.parcels[reference] = _new_parcel(reference, order_id)
        return 201, self.view(reference)

    def hand_over(self, reference: str) -> Answer:
        """The carrier takes a booked parcel."""
        if reference not in self.parcels:
            return 404, {"error": "unknown_parcel"}
        parcel = self.parcels[reference]
        if parcel["status"] == "voided":
            return 409, {"error": "voided", "parcel": self.view(reference)}
        if parcel["status"] == "booked":
            self._count("handover")
            parcel.update(status="in_transit", handed_over_at=time.time())
        return 200, self.view(reference)

    def void(self, reference: str) -> Answer:
        """Void a label the carrier does not have yet."""
        if reference not in self.parcels:
            return 404, {"error": "unknown_parcel"}
        status = self.view(reference)["status"]
        if status in ("in_transit", "delivered"):
            error = "already_shipped" if status == "in_transit" else "already_delivered"
            return 409, {"error": error, "parcel": self.view(reference)}
        if status == "booked":
            self._count("void")
            self.parcels[reference]["status"] = "voided"
        return 200, self.view(reference)

    def _count(self, operation: str) -> None:
        self.performed[operation] = self.performed.get(operation, 0) + 1


def create_carrier_app(state: CarrierState | None = None) -> Starlette:
    """The fake carrier as an ASGI app (``state`` lets tests look inside and steer it)."""
    carrier = state or CarrierState()

    async def book(request: Request) -> Response:
        body = await request.json()
        reference, order_id = str(body["reference"]), str(body["order_id"])
        return await _answer(
            carrier, request, "book", f"book {reference}", lambda: carrier.book(reference, order_id)
        )

    async def hand_over(request: Request) -> Response:
        reference = request.path_params["reference"]
        call = f"handover {reference}"
        return await _answer(
            carrier, request, "handover", call, lambda: carrier.hand_over(reference)
        )

    async def void(request: Request) -> Response:
        reference = request.path_params["reference"]
        call = f"void {reference}"
        return await _answer(carrier, request, "void", call, lambda: carrier.void(reference))

    async def track(request: Request) -> Response:
        reference = request.path_params["reference"]

        def look() -> Answer:
            if reference not in carrier.parcels:
                return 404, {"error": "unknown_parcel"}
            return 200, carrier.view(reference)

        return await _answer(carrier, request, "track", "", look, keyed=False)

    async def parcels(request: Request) -> JSONResponse:
        wanted = request.query_params.get("order_id")
        views = [carrier.view(reference) for reference in list(carrier.parcels)]
        return JSONResponse({"parcels": [v for v in views if wanted in (None, v["order_id"])]})

    async def control(request: Request) -> JSONResponse:
        if request.method == "PUT":
            carrier.behaviour = Behaviour(**await request.json())
        return JSONResponse(
            {**asdict(carrier.behaviour), "calls": carrier.calls, "performed": carrier.performed}
        )

    async def reset(request: Request) -> JSONResponse:
        carrier.behaviour = Behaviour()
        for remembered in (carrier.parcels, carrier.calls, carrier.performed, carrier.answers):
            remembered.clear()
        return JSONResponse({"reset": True})

    return Starlette(
        routes=[
            Route("/v1/parcels", book, methods=["POST"]),
            Route("/v1/parcels", parcels, methods=["GET"]),
            Route("/v1/parcels/{reference}", track, methods=["GET"]),
            Route("/v1/parcels/{reference}", void, methods=["DELETE"]),
            Route("/v1/parcels/{reference}/handover", hand_over, methods=["POST"]),
            Route("/_control", control, methods=["GET", "PUT"]),
            Route("/_control/reset", reset, methods=["POST"]),
        ]
    )


async def _answer(
    carrier: CarrierState,
    request: Request,
    operation: str,
    call: str,
    perform: Callable[[], Answer],
    *,
    keyed: bool = True,
) -> Response:
    """Latency, the configured failure, then the (possibly stored) answer of ``perform``."""
    carrier.received(operation)
    b = carrier.behaviour
    if b.latency_ms:
        await asyncio.sleep(b.latency_ms / 1000)
    failure = carrier.failure_for(operation)
    if failure == "error":
        return JSONResponse({"error": "unavailable"}, status_code=503)
    key = request.headers.get("idempotency-key") if keyed else None
    status, body = carrier.once(key, call, perform)
    if failure == "timeout":  # done, but the caller never hears it
        await asyncio.sleep(b.hang_seconds)
        return JSONResponse({"error": "timeout"}, status_code=504)
    return JSONResponse(body, status_code=status)


def _new_parcel(reference: str, order_id: str) -> dict[str, Any]:
    return {
        "reference": reference,
        "order_id": order_id,
        "carrier": CARRIER,
        "tracking_number": f"FC{uuid.uuid4().hex[:12].upper()}",
        "status": "booked",
        "booked_at": time.time(),
        "handed_over_at": None,
        "delivered_at": None,
    }


def serve(host: str = "127.0.0.1", port: int = 8097) -> None:
    """Run the fake carrier until interrupted."""
    uvicorn.run(create_carrier_app(), host=host, port=port, log_level="warning")
