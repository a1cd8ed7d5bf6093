"""The FastAPI application: domain routers, problem responses, health and metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from domains.orders import api as orders
from orderflow.db import create_sessions
from orderflow.http.correlation import CorrelationMiddleware
from orderflow.http.problems import install_problem_handlers, problem


def create_app(engine: AsyncEngine, *, dispose_engine: bool = False) -> FastAPI:
    """The API on ``engine``; ``dispose_engine`` closes the pool on shutdown."""
    sessions = create_sessions(engine)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if dispose_engine:
            await engine.dispose()

    app = FastAPI(
        title="orderflow",
        version="0.1.0",
        description="The order platform's HTTP API. Errors are application/problem+json.",
        lifespan=lifespan,
    )
    app.add_middleware(CorrelationMiddleware)
    install_problem_handlers(app)
    app.include_router(orders.build_router(lambda: orders.OrdersUnitOfWork(sessions)))

    @app.get("/healthz", tags=["operations"])
    async def health() -> Response:
        """200 when the database answers."""
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except OSError as exc:
            return problem(503, "database_unavailable", str(exc))
        return Response(status_code=200, content="ok")

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    async def metrics() -> Response:
        """Prometheus metrics of this process."""
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app
