"""Log in, refresh, log out."""

# No ``from __future__ import annotations``: see accounts.py.
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from domains.identity import handlers, session_handlers
from domains.identity.http.context import LIMITED, Routes
from domains.identity.http.limits import check_address_then_account, client_address
from domains.identity.http.models import LoginIn, RefreshIn, TokenOut
from domains.identity.principal import Principal
from domains.shared.problems import problem_responses


def session_routes(router: APIRouter, routes: Routes) -> None:
    """``POST /v1/auth/login``, ``/v1/auth/refresh``, ``/v1/auth/logout``."""
    ttl = routes.settings.access_token_ttl_seconds

    @router.post(
        "/v1/auth/login",
        response_model=TokenOut,
        responses=problem_responses({401: ["invalid_credentials"], **LIMITED}),
    )
    async def log_in(body: LoginIn, request: Request) -> TokenOut:
        """Exchange e-mail and password for a new session's access and refresh tokens."""
        limits = routes.limits
        await check_address_then_account(
            routes.limiter, request, limits.login_per_address, limits.login_per_account, body.email
        )
        pair = await handlers.login(body.email, body.password, routes.uow(), routes.settings)
        return TokenOut.of(pair, ttl)

    @router.post(
        "/v1/auth/refresh",
        response_model=TokenOut,
        responses=problem_responses(
            # Unknown, expired or ended; or used before, which ends the session.
            {401: ["invalid_refresh_token", "refresh_token_reused"], **LIMITED}
        ),
    )
    async def refresh(body: RefreshIn, request: Request) -> TokenOut:
        """Trade the refresh token for the next pair; the old refresh token stops working."""
        await routes.limiter.check(routes.limits.refresh_per_address, client_address(request))
        pair = await session_handlers.refresh_session(
            body.refresh_token, routes.uow(), routes.settings
        )
        return TokenOut.of(pair, ttl)

    @router.post("/v1/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
    async def log_out(caller: Annotated[Principal, Depends(routes.principal)]) -> Response:
        """End the caller's session: its access and refresh tokens stop working."""
        await session_handlers.end_session(caller, routes.uow())
        return Response(status_code=status.HTTP_204_NO_CONTENT)
