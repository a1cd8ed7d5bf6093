"""Errors as ``application/problem+json`` (RFC 9457) with a stable ``code``.

The status map and the renderer are ``domains.shared.problems``; this module installs them
for validation, domain and routing errors.
"""

from __future__ import annotations

import asyncpg
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException

from consumers.runtime import describe, infrastructure_cause
from domains.shared import DomainError
from domains.shared.problems import error_response, problem
from orderflow.http.openapi import documented_methods

log = structlog.get_logger("orderflow.http")

DATABASE_DOWN = "The database is not answering; nothing was changed. Retry after Retry-After."
# What a request meets while PostgreSQL is away: SQLAlchemy's wrapped driver errors, the
# pool's timeout, and the bare network errors asyncpg raises itself (connection refused).
DATABASE_ERRORS: tuple[type[Exception], ...] = (
    DBAPIError,
    PoolTimeoutError,
    OSError,
    asyncpg.PostgresError,
)
DATABASE_BUSY = (
    "Every database connection this server may use for the request is busy; nothing was "
    "changed. Retry after Retry-After."
)
RETRY_AFTER_SECONDS = 2


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": list(e["loc"]), "type": e["type"], "msg": e["msg"]} for e in exc.errors()]
    if any(e["type"] == "json_invalid" for e in errors):
        return problem(400, "malformed_json", "The request body is not valid JSON.", errors=errors)
    return problem(422, "validation_error", "The request does not match the schema.", errors=errors)


async def _on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return error_response(exc)


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return problem(exc.status_code, code, str(exc.detail))


async def _on_method_not_allowed(request: Request, exc: Exception) -> JSONResponse:
    """405 with ``Allow`` naming every method of the path (RFC 9110 15.5.6).

    Starlette's own ``Allow`` names the methods of the first route matching the path only, and
    FastAPI makes one route per method (``GET`` and ``PATCH /v1/products/{id}`` are two): the
    methods come from the document instead, which lists them all.
    """
    assert isinstance(exc, HTTPException)
    allowed = documented_methods(request.app.openapi(), request.url.path)
    if not allowed:  # an undocumented route (/metrics, the docs pages): Starlette's answer
        allowed = sorted((exc.headers or {}).get("Allow", "GET").split(", "))
    response = problem(
        405, "method_not_allowed", f"{request.method} is not allowed here; use {', '.join(allowed)}"
    )
    response.headers["Allow"] = ", ".join(allowed)
    return response


async def _on_database_error(request: Request, exc: Exception) -> JSONResponse:
    """503 with Retry-After when the infrastructure failed; any other error stays a bug (500)."""
    cause = infrastructure_cause(exc)
    if cause is None:
        raise exc
    # A pool timeout is this process's bulkhead, not an outage: the database answers, every
    # connection of the request's pool is busy (orderflow_db_pool_* says which pool).
    code, detail = (
        ("database_busy", DATABASE_BUSY)
        if isinstance(exc, PoolTimeoutError)
        else ("database_unavailable", DATABASE_DOWN)
    )
    log.warning(code, cause=str(cause), error=describe(exc), path=request.url.path)
    response = problem(503, code, detail, cause=str(cause))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def install_problem_handlers(app: FastAPI) -> None:
    """Map validation, domain, routing and database-outage errors to problem responses."""
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(DomainError, _on_domain_error)
    app.add_exception_handler(HTTPException, _on_http_error)
    app.add_exception_handler(405, _on_method_not_allowed)
    for error in DATABASE_ERRORS:
        app.add_exception_handler(error, _on_database_error)
