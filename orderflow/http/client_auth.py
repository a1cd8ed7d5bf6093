"""Authentication of service clients at the HTTP edge (the intake routes).

``current_client`` is the dependency the intake routes use. A person's access token is never a
service client's: it gets 403 ``service_client_required`` (shoppers use checkout). Service
client tokens are verified by the ``ClientAuthenticator`` the application was given.
"""

from __future__ import annotations

from typing import Annotated, Protocol

import structlog
from fastapi import Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from domains.identity.api import ServiceClient, Unauthenticated
from domains.shared import Forbidden
from orderflow.http.auth import current_principal

log = structlog.get_logger("orderflow.http.client_auth")

client_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="client_bearer",
    description="A service client's access token (OAuth 2.0 client credentials).",
)


class ClientAuthenticator(Protocol):
    """Turns a bearer token into the service client it was issued to."""

    async def authenticate(self, token: str) -> ServiceClient:
        """The client; ``Unauthenticated`` when the token is not a valid client token."""
        ...


async def current_client(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(client_bearer)],
) -> ServiceClient:
    """The calling service, from ``Authorization: Bearer <token>``; 401 / 403 otherwise."""
    if credentials is None:
        raise Unauthenticated(
            "send 'Authorization: Bearer <token>' with a service client's token",
            code="missing_token",
        )
    await _refuse_people(request, credentials)
    authenticator: ClientAuthenticator = request.app.state.client_authenticator
    client = await authenticator.authenticate(credentials.credentials)
    structlog.contextvars.bind_contextvars(client_id=str(client.client_id))
    return client


async def _refuse_people(request: Request, credentials: HTTPAuthorizationCredentials) -> None:
    """403 for a valid person's token: the same check the person routes make."""
    try:
        await current_principal(request, credentials)
    except Unauthenticated:
        return
    raise Forbidden(
        "this route is for service clients; shoppers place orders with POST /v1/checkout",
        code="service_client_required",
    )


def install_client_auth(app: FastAPI, authenticator: ClientAuthenticator) -> None:
    """Let ``current_client`` verify service client tokens with ``authenticator``."""
    app.state.client_authenticator = authenticator
