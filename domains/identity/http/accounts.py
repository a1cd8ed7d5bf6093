"""Register, read your account, change your password."""

# No ``from __future__ import annotations``: FastAPI must see ``Depends(routes.principal)``,
# a closure variable, as a real object.
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from domains.identity import handlers
from domains.identity.http.context import LIMITED, Routes
from domains.identity.http.limits import check_address_then_account
from domains.identity.http.models import (
    REGISTER_ACCEPTED,
    AcceptedOut,
    PasswordChangeIn,
    RegisterIn,
    UserOut,
)
from domains.identity.principal import Principal
from domains.shared.problems import problem_responses


def account_routes(router: APIRouter, routes: Routes) -> None:
    """``POST /v1/auth/register``, ``GET /v1/me``, ``POST /v1/me/password``."""

    @router.post(
        "/v1/auth/register",
        status_code=status.HTTP_202_ACCEPTED,
        response_model=AcceptedOut,
        responses=problem_responses({422: ["bad_email", "weak_password"], **LIMITED}),
    )
    async def register(body: RegisterIn, request: Request) -> AcceptedOut:
        """Create a customer account (``UserRegistered``), then log in with its password.

        A registered address gets the same answer, after the same password hashing, and keeps
        its account: the answer does not tell who has an account here.
        """
        command = handlers.RegisterUser(body.email, body.password).checked()
        limits = routes.limits
        await check_address_then_account(
            routes.limiter,
            request,
            limits.register_per_address,
            limits.register_per_account,
            command.email,
        )
        await handlers.register_customer(command, routes.uow(), routes.settings.passwords)
        return AcceptedOut(detail=REGISTER_ACCEPTED)

    @router.get(
        "/v1/me", response_model=UserOut, responses=problem_responses({404: ["user_not_found"]})
    )
    async def read_me(caller: Annotated[Principal, Depends(routes.principal)]) -> UserOut:
        """The account of the caller."""
        return UserOut.of(await handlers.get_user(caller.user_id, routes.uow()))

    @router.post(
        "/v1/me/password",
        status_code=status.HTTP_204_NO_CONTENT,
        responses=problem_responses(
            {
                404: ["user_not_found"],
                409: ["concurrent_update"],
                422: ["wrong_password", "weak_password"],
            }
        ),
    )
    async def change_password(
        body: PasswordChangeIn, caller: Annotated[Principal, Depends(routes.principal)]
    ) -> Response:
        """Set a new password; every session of the account ends (log in again)."""
        await handlers.change_password(
            caller,
            body.current_password,
            body.new_password,
            routes.uow(),
            routes.settings.passwords,
        )
        return Response(status_code=status.HTTP_204_NO_CONTENT)
