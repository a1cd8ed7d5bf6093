"""Password reset: ask for a link, set a new password with its token."""

from __future__ import annotations

import structlog
from fastapi import APIRouter, BackgroundTasks, Request, Response, status

from domains.identity import reset_handlers
from domains.identity.http.context import LIMITED, Routes
from domains.identity.http.limits import check_address_then_account, client_address
from domains.identity.http.models import RESET_ACCEPTED, AcceptedOut, PasswordResetIn
from domains.identity.http.models import PasswordResetConfirmIn as ConfirmIn
from domains.shared.problems import problem_responses

log = structlog.get_logger("orderflow.identity")


def reset_routes(router: APIRouter, routes: Routes) -> None:
    """``POST /v1/auth/password-reset`` and ``/v1/auth/password-reset/confirm``."""

    async def issue(email: str) -> None:
        # After the response: the answer cannot tell known from unknown addresses by its timing.
        try:
            await reset_handlers.request_password_reset(email, routes.uow(), routes.settings)
        except Exception:  # the client has its 202; nothing to tell it, so tell the operator
            log.exception("password_reset_not_issued")

    @router.post(
        "/v1/auth/password-reset",
        status_code=status.HTTP_202_ACCEPTED,
        response_model=AcceptedOut,
        responses=problem_responses(LIMITED),
    )
    async def request_reset(
        body: PasswordResetIn, request: Request, background: BackgroundTasks
    ) -> AcceptedOut:
        """Ask for a reset link by e-mail: the same answer, as fast, for unknown addresses."""
        email = body.email.strip().lower()  # no address check: any answer would tell more
        limits = routes.limits
        await check_address_then_account(
            routes.limiter, request, limits.reset_per_address, limits.reset_per_account, email
        )
        background.add_task(issue, email)
        return AcceptedOut(detail=RESET_ACCEPTED)

    @router.post(
        "/v1/auth/password-reset/confirm",
        status_code=status.HTTP_204_NO_CONTENT,
        responses=problem_responses(
            {
                422: [
                    "reset_token_invalid",
                    "reset_token_used",
                    "reset_token_expired",
                    "weak_password",
                ],
                **LIMITED,
            }
        ),
    )
    async def confirm_reset(body: ConfirmIn, request: Request) -> Response:
        """Set a new password with the token from the e-mail (works once; sessions end)."""
        await routes.limiter.check(routes.limits.reset_confirm_per_address, client_address(request))
        command = reset_handlers.ResetPassword(body.token, body.new_password)
        await reset_handlers.reset_password(command, routes.uow(), routes.settings)
        return Response(status_code=status.HTTP_204_NO_CONTENT)
