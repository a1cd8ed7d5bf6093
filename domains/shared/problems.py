"""Errors over HTTP: ONE status map and ONE RFC 9457 problem renderer for the whole API.

The composition root's exception handlers and the domains' routers (checkout renders the
answers it stores for replays) use these, so a status or a body shape cannot differ between
them.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from domains.shared.errors import DomainError, Unavailable, kind_of

PROBLEM = "application/problem+json"

# The status of each kind of error, by the name ``kind_of`` gives it; any other kind is a 400.
STATUS: dict[str, int] = {
    "InvalidInput": 422,
    "NotFound": 404,
    "Conflict": 409,
    "Forbidden": 403,
    "Unavailable": 503,
}


def status_of(kind: str) -> int:
    """The HTTP status of an error kind (see ``domains.shared.errors.kind_of``)."""
    return STATUS.get(kind, 400)


def problem_document(status: int, code: str, detail: str, **extra: Any) -> dict[str, Any]:
    """A problem body; ``title`` is the code in words, ``detail`` says what to do."""
    return {
        "type": f"https://orderflow.dev/problems/{code}",
        "title": code.replace("_", " ").capitalize(),
        "status": status,
        "code": code,
        "detail": detail,
        **extra,
    }


def problem(status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    """A problem response (``application/problem+json``)."""
    body = problem_document(status, code, detail, **extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def error_response(error: DomainError) -> JSONResponse:
    """The problem response of a domain error; ``Retry-After`` when it is ``Unavailable``."""
    response = problem(status_of(kind_of(error)), error.code, error.message)
    if isinstance(error, Unavailable):
        response.headers["Retry-After"] = str(max(1, round(error.retry_after)))
    return response
