"""Errors as ``application/problem+json`` (RFC 9457) with a stable ``code``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from domains.payments.api import ProviderUnavailable
from domains.shared import Conflict, DomainError, Forbidden, InvalidInput, NotFound

PROBLEM = "application/problem+json"

_STATUS: dict[type[DomainError], int] = {
    InvalidInput: 422,
    NotFound: 404,
    Conflict: 409,
    Forbidden: 403,
    ProviderUnavailable: 503,
}


def problem(status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    """A problem response; ``title`` is the code in words, ``detail`` says what to do."""
    body = {
        "type": f"https://orderflow.dev/problems/{code}",
        "title": code.replace("_", " ").capitalize(),
        "status": status,
        "code": code,
        "detail": detail,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": list(e["loc"]), "type": e["type"], "msg": e["msg"]} for e in exc.errors()]
    if any(e["type"] == "json_invalid" for e in errors):
        return problem(400, "malformed_json", "The request body is not valid JSON.", errors=errors)
    return problem(422, "validation_error", "The request does not match the schema.", errors=errors)


async def _on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    status = next((s for kind, s in _STATUS.items() if isinstance(exc, kind)), 400)
    response = problem(status, exc.code, exc.message)
    if isinstance(exc, ProviderUnavailable):
        response.headers["Retry-After"] = str(max(1, round(exc.retry_after)))
    return response


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return problem(exc.status_code, code, str(exc.detail))


def install_problem_handlers(app: FastAPI) -> None:
    """Map validation, domain and routing errors to problem responses."""
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(DomainError, _on_domain_error)
    app.add_exception_handler(HTTPException, _on_http_error)
