"""``/metrics``: on the API's port by default, or alone on an internal port.

With ``ORDERFLOW_HTTP_METRICS_PORT`` set, the public port has no ``/metrics`` and
:func:`metrics_app` serves it on ``ORDERFLOW_HTTP_METRICS_HOST:PORT``, for Prometheus only.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


async def metrics_endpoint(_: Request) -> Response:
    """Prometheus metrics of this process."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def metrics_app() -> Starlette:
    """An application serving only ``GET /metrics``."""
    return Starlette(routes=[Route("/metrics", metrics_endpoint, methods=["GET"])])
