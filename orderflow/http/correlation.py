"""Per-request context: correlation id (from ``X-Correlation-ID`` or new), trace, metrics."""

from __future__ import annotations

import re
import time

import structlog
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from events import bind_message_context
from events.context import bind_traceparent

REQUESTS = Counter("orderflow_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "orderflow_http_request_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
log = structlog.get_logger("orderflow.http")
# The client's id travels on in logs, events and Kafka headers, and comes back in our response
# headers: printable ASCII without separators only, else the request gets a fresh id.
_CORRELATION_ID = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}")


class CorrelationMiddleware:
    """Binds the correlation id for the request and echoes it in the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # latin-1 decodes any byte: this runs before the request guard refuses bad headers,
        # and its 400 must still carry a correlation id and be counted.
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        structlog.contextvars.clear_contextvars()
        correlation_id = bind_message_context(_client_correlation_id(headers))
        bind_traceparent(headers.get("traceparent"))
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-correlation-id", correlation_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            elapsed = time.perf_counter() - started
            REQUESTS.labels(scope["method"], route, str(status)).inc()
            LATENCY.labels(scope["method"], route).observe(elapsed)
            log.info(
                "http_request",
                method=scope["method"],
                route=route,
                status=status,
                ms=round(elapsed * 1000, 2),
            )


def _client_correlation_id(headers: dict[str, str]) -> str | None:
    value = headers.get("x-correlation-id", "")
    return value if _CORRELATION_ID.fullmatch(value) else None
