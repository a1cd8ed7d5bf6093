"""The FastAPI application: domain routers, problem responses, health.

Its Prometheus metrics are not on this (public) port: ``orderflow api`` and ``orderflow run``
serve them on the operations port (:mod:`orderflow.health.server`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from sqlalchemy.ext.asyncio import AsyncEngine

from consumers import analytics, recommendations, search
from domains.catalog import api as catalog
from domains.identity import api as identity
from domains.orders import api as orders
from foundation.tracing import tracing_on
from orderflow.build_metric import publish_build_info
from orderflow.health import Readiness, database, health_router
from orderflow.http.asyncapi import router as asyncapi_router
from orderflow.http.auth import current_principal, install_auth, require_role
from orderflow.http.bulkhead import Bulkhead
from orderflow.http.client_auth import current_client, install_client_auth
from orderflow.http.correlation import CorrelationMiddleware
from orderflow.http.guard import RequestGuard
from orderflow.http.openapi import install_openapi
from orderflow.http.problems import install_problem_handlers
from orderflow.settings import Settings, get_settings
from orderflow.wiring.connections import database_sessions
from orderflow.wiring.deployment import orders_services, payment_provider
from orderflow.wiring.identity import (
    bearer_tokens,
    client_rules,
    client_tokens,
    identity_limits,
    identity_settings,
    open_sessions,
    rate_limiter,
)
from orderflow.wiring.read_models import recommendation_reader

DESCRIPTION = """The order platform's HTTP API.

Every error is `application/problem+json` (RFC 9457) with a stable `code`; each operation lists
the codes it can answer with. Bodies are JSON, at most 1 MiB and 32 levels deep by default."""


def create_app(
    engine: AsyncEngine,
    *,
    background: AsyncEngine | None = None,
    dispose_engine: bool = False,
    settings: Settings | None = None,
    session_check: identity.SessionCheck | None = None,
    readiness: Readiness | None = None,
) -> FastAPI:
    """The API on ``engine``; ``dispose_engine`` closes the pool on shutdown.

    ``background`` (default: ``engine``) serves the non-critical routes: the reports (at most
    ``ORDERFLOW_HTTP_REPORT_CONCURRENCY`` at once, :class:`Bulkhead`) and recommendations
    (which fall back when it is busy); see ``orderflow.wiring.pools``.

    ``settings`` (default: from the environment) supplies the signing keys, lifetimes and rate
    limits; ``session_check`` (default: PostgreSQL) says whether a token's session is open;
    ``readiness`` the checks of ``/readyz`` (default: the database through ``engine``).
    """
    settings = settings or get_settings()
    publish_build_info()
    sessions = database_sessions(settings, engine)
    non_critical = database_sessions(settings, background or engine)
    reports = Bulkhead("reports", settings.http.report_concurrency)
    identity_config = identity_settings(settings)

    provider = payment_provider(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await provider.aclose()
        if dispose_engine:
            await engine.dispose()

    app = FastAPIOffline(  # Swagger UI and ReDoc from the package's files, not a CDN
        title="orderflow",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        static_url="/docs/assets",
    )
    # The guard runs inside the correlation middleware: its refusals get an id and a metric.
    app.add_middleware(
        RequestGuard,
        max_body_bytes=settings.http.max_body_bytes,
        max_json_depth=settings.http.max_json_depth,
    )
    app.add_middleware(CorrelationMiddleware)
    install_problem_handlers(app)
    install_openapi(app)
    session_check = session_check or open_sessions(settings, sessions)
    install_auth(app, bearer_tokens(identity_config, session_check))
    install_client_auth(app, client_tokens(settings, sessions))
    limiter, limits = rate_limiter(settings, engine), identity_limits(settings)
    app.include_router(
        identity.build_oauth_router(
            sessions,
            identity_config.keys,
            client_rules(settings),
            limiter=limiter,
            limits=limits,
        )
    )
    app.include_router(
        orders.build_router(
            orders_services(sessions, settings, provider), current_principal, current_client
        )
    )
    app.include_router(asyncapi_router)
    app.include_router(search.build_router(sessions, current_principal))
    app.include_router(
        analytics.build_router(non_critical, require_role(identity.ADMIN), reports.slot)
    )
    app.include_router(recommendations.build_router(recommendation_reader(non_critical, settings)))
    app.include_router(
        identity.build_router(
            lambda: identity.IdentityUnitOfWork(sessions),
            settings=identity_config,
            principal=current_principal,
            admin=require_role(identity.ADMIN),
            limiter=limiter,
            limits=limits,
        )
    )
    app.include_router(
        catalog.build_router(
            lambda: catalog.CatalogUnitOfWork(sessions), admin=require_role(identity.ADMIN)
        )
    )

    # Liveness answers from the event loop alone; readiness names every failing check
    # (default: the database). The metrics are served on the operations port, not here.
    app.include_router(health_router(readiness or Readiness({"database": database(engine)})))

    if tracing_on():
        # Imported only now: the SDK and the instrumentation cost a noticeable part of a
        # second to import, and a process that does not trace never needs them.
        from orderflow.telemetry import instrument_app  # noqa: PLC0415

        instrument_app(app)
    return app
