"""Errors over HTTP: ONE status map and ONE RFC 9457 problem renderer for the whole API.

The composition root's exception handlers and the domains' routers (checkout renders the
answers it stores for replays) use these, so a status or a body shape cannot differ between
them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from domains.shared.errors import DomainError, RateLimited, Unavailable, kind_of

PROBLEM = "application/problem+json"

# The status of each kind of error, by the name ``kind_of`` gives it; any other kind is a 400.
STATUS: dict[str, int] = {
    "InvalidInput": 422,
    "NotFound": 404,
    "Conflict": 409,
    "Forbidden": 403,
    "Unavailable": 503,
    "RateLimited": 429,
}


def status_of(kind: str) -> int:
    """The HTTP status of an error kind (see ``domains.shared.errors.kind_of``)."""
    return STATUS.get(kind, 400)


class FieldError(BaseModel):
    """One reason a request was refused, and where: ``["body", "items", 0, "quantity"]``."""

    loc: list[str | int]
    type: str = Field(description="What is wrong, e.g. missing, int_type, invalid_character")
    msg: str


class Problem(BaseModel):
    """An RFC 9457 problem, the body of every error (``application/problem+json``).

    ``code`` is stable and machine-readable (each operation lists the codes it can answer
    with); ``detail`` is for humans and may change. Other members may follow (``order_id``).
    """

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="A URI naming the problem: https://orderflow.dev/problems/<code>")
    title: str
    status: int = Field(ge=400, le=599)
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    detail: str
    errors: list[FieldError] = Field(
        default=[], description="Validation problems (422): each refused input and where"
    )


def problem_responses(codes: Mapping[int, Sequence[str]]) -> dict[int | str, dict[str, Any]]:
    """A route's ``responses=``: per error status, the codes it can answer with.

    The composition root renders each as ``application/problem+json`` with the one Problem
    schema and adds the codes every route shares (malformed input, authentication).
    """
    return {status: {"x-problem-codes": list(names)} for status, names in codes.items()}


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
    """The problem response of a domain error; ``Retry-After`` when it says when to retry."""
    response = problem(status_of(kind_of(error)), error.code, error.message)
    if isinstance(error, Unavailable | RateLimited):
        response.headers["Retry-After"] = str(max(1, round(error.retry_after)))
    return response
