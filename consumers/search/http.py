"""``GET /v1/search``: products for everyone, orders for support staff (admin or operator)."""

# No "from __future__ import annotations": FastAPI must see the local dependency objects.
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.search.query import search
from domains.identity.api import ADMIN, OPERATOR, Principal, Unauthenticated
from domains.shared import Forbidden
from domains.shared.problems import problem_responses

Authenticate = Callable[[Request, HTTPAuthorizationCredentials | None], Awaitable[Principal]]
STAFF = (ADMIN, OPERATOR)

_bearer = HTTPBearer(auto_error=False, scheme_name="bearer")


class SearchResults(BaseModel):
    """One page of search hits, best first."""

    kind: Literal["product", "order"]
    query: str
    page: int
    size: int
    total: int
    items: list[dict[str, Any]]


def build_router(
    sessions: async_sessionmaker[AsyncSession], authenticate: Authenticate
) -> APIRouter:
    """The search routes; ``authenticate`` is the app's bearer-token dependency."""
    router = APIRouter(prefix="/v1/search", tags=["search"])

    async def viewer(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal | None:
        """The caller when a token was sent (401 if it is bad); None for anonymous callers."""
        return None if credentials is None else await authenticate(request, credentials)

    @router.get(
        "",
        response_model=SearchResults,
        responses=problem_responses({401: ["missing_token"], 403: ["role_required"]}),
        openapi_extra={"security": [{}]},  # appended to the bearer scheme: a token is optional
    )
    async def search_index(
        principal: Annotated[Principal | None, Depends(viewer)],
        q: Annotated[str, Query(min_length=1, max_length=200, description="websearch syntax")],
        kind: Literal["product", "order"] = "product",
        page: Annotated[int, Query(ge=1, le=1000)] = 1,
        size: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> SearchResults:
        """Full-text search, ranked; ``kind=order`` needs the admin or operator role."""
        if kind == "order":
            _ensure_staff(principal)
        async with sessions() as session:
            found = await search(session, kind, q, page=page, size=size)
        return SearchResults(
            kind=kind, query=q, page=page, size=size, total=found.total, items=found.hits
        )

    return router


def _ensure_staff(principal: Principal | None) -> None:
    if principal is None:
        raise Unauthenticated("searching orders needs a staff token", code="missing_token")
    if not any(principal.has_role(role) for role in STAFF):
        raise Forbidden("searching orders needs the admin or operator role", code="role_required")
