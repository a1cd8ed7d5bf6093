"""User administration (admins only): replace roles, delete accounts."""

# No ``from __future__ import annotations``: see accounts.py.
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from domains.identity import handlers
from domains.identity.http.context import Routes
from domains.identity.http.models import RolesIn, UserOut
from domains.identity.principal import Principal
from domains.shared.problems import problem_responses


def admin_routes(router: APIRouter, routes: Routes) -> None:
    """``PUT /v1/admin/users/{user_id}/roles``, ``DELETE /v1/admin/users/{user_id}``."""

    @router.put(
        "/v1/admin/users/{user_id}/roles",
        response_model=UserOut,
        responses=problem_responses(
            {
                403: ["role_required"],
                404: ["user_not_found"],
                409: ["concurrent_update"],
                422: ["bad_roles"],
            }
        ),
    )
    async def set_roles(
        user_id: uuid.UUID,
        body: RolesIn,
        _: Annotated[Principal, Depends(routes.admin)],
    ) -> UserOut:
        """Replace the user's roles; their sessions end when the roles change."""
        user = await handlers.set_roles(user_id, frozenset(body.roles), routes.uow())
        return UserOut.of(user)

    @router.delete(
        "/v1/admin/users/{user_id}",
        status_code=status.HTTP_204_NO_CONTENT,
        responses=problem_responses(
            {403: ["role_required"], 404: ["user_not_found"], 409: ["concurrent_update"]}
        ),
    )
    async def delete_user(
        user_id: uuid.UUID, _: Annotated[Principal, Depends(routes.admin)]
    ) -> Response:
        """Delete the account: its sessions end at once, ``UserDeleted`` follows."""
        await handlers.delete_user(user_id, routes.uow())
        return Response(status_code=status.HTTP_204_NO_CONTENT)
