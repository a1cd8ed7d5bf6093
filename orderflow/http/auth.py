"""Authentication at the HTTP edge: the bearer token is checked once per request.

``current_principal`` is a FastAPI dependency; FastAPI caches a dependency's result for the
request, so routes and ``require_role`` guards that all depend on it decode the token once.
``BearerTokens`` picks the token's kind by its ``typ`` header; a user access token passes when
its signature, key, issuer, audience and lifetime hold AND its session is still open (a cached
PostgreSQL look-up, so an ended session is refused by every process within
``ORDERFLOW_SESSION_CHECK_TTL_SECONDS``). Authorization beyond roles
(whose order is this?) belongs to the owning domain.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import structlog
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import Counter

from domains.identity.api import BearerTokens, Principal, TokenRefused, Unauthenticated
from domains.shared import Forbidden
from domains.shared.problems import problem

log = structlog.get_logger("orderflow.http.auth")
TOKENS_REFUSED = Counter(
    "orderflow_tokens_refused_total",
    "Bearer tokens refused at the edge, by reason (expired, unknown_key, session_ended...).",
    ["reason"],
)

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="An access token from `POST /v1/auth/login`.",
)


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The caller of this request, from ``Authorization: Bearer <token>``; 401 otherwise."""
    if credentials is None:
        raise Unauthenticated(
            "send 'Authorization: Bearer <token>'; get a token from POST /v1/auth/login",
            code="missing_token",
        )
    tokens: BearerTokens = request.app.state.bearer_tokens
    try:
        principal = await tokens.authenticate(credentials.credentials)
    except TokenRefused as refused:
        TOKENS_REFUSED.labels(refused.reason).inc()
        log.info("token_refused", reason=refused.reason)
        raise
    structlog.contextvars.bind_contextvars(user_id=str(principal.user_id))
    return principal


def require_role(role: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency that lets only callers with ``role`` through (401 / 403 otherwise)."""

    async def guard(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.has_role(role):
            raise Forbidden(f"this needs the {role} role", code="role_required")
        return principal

    guard.__name__ = f"require_{role}"
    return guard


def install_auth(app: FastAPI, tokens: BearerTokens) -> None:
    """Let ``current_principal`` accept the bearer tokens ``tokens`` knows; map failures to
    401."""
    app.state.bearer_tokens = tokens
    app.add_exception_handler(Unauthenticated, _on_unauthenticated)


async def _on_unauthenticated(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Unauthenticated)
    response = problem(401, exc.code, exc.message)
    challenge = 'Bearer realm="orderflow"'
    if exc.code in ("invalid_token", "token_expired", "session_ended"):
        challenge += f', error="invalid_token", error_description="{exc.code}"'
    response.headers["WWW-Authenticate"] = challenge
    return response
