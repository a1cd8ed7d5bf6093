"""``POST /v1/oauth/token``: the OAuth 2.0 client credentials grant (RFC 6749 §4.4).

The body is form-encoded; the client authenticates with HTTP Basic (``client_secret_basic``)
or with ``client_id`` and ``client_secret`` in the body (``client_secret_post``), never both.
Errors are RFC 6749 §5.2 JSON (``error``, ``error_description``), not problem documents: OAuth
clients parse these. The answer is never cached (``Cache-Control: no-store``).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote_plus

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.identity.client_store import authenticate_client
from domains.identity.client_tokens import issue_client_token
from domains.identity.http.limits import IdentityLimits, client_address
from domains.identity.signing import KeyRing, TokenRules
from domains.shared.problems import problem_responses
from domains.shared.rate_limits import RateLimiter

FORM = "application/x-www-form-urlencoded"
KNOWN = frozenset({"grant_type", "scope", "client_id", "client_secret"})
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
OAUTH_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "string",
            "enum": [
                "invalid_request",
                "invalid_client",
                "invalid_grant",
                "unauthorized_client",
                "unsupported_grant_type",
                "invalid_scope",
            ],
        },
        "error_description": {"type": "string"},
    },
}
TOKEN_FORM = {
    "type": "object",
    "required": ["grant_type"],
    "properties": {
        "grant_type": {"type": "string", "enum": ["client_credentials"]},
        "scope": {"type": "string", "description": "Space-separated; default: all granted"},
        "client_id": {"type": "string", "description": "client_secret_post only"},
        "client_secret": {"type": "string", "description": "client_secret_post only"},
    },
}


def _oauth_error(description: str) -> dict[str, object]:
    """A documented OAuth error response; the composition root leaves it as it is, not a
    problem document (``x-own-error-body``)."""
    return {
        "description": description,
        "content": {"application/json": {"schema": OAUTH_ERROR}},
        "x-own-error-body": True,
    }


class OAuthError(Exception):
    """An RFC 6749 §5.2 error: ``error`` code, description, and the HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


@dataclass(frozen=True)
class Credentials:
    """Who the caller says it is, and how it said so (``basic`` or ``post``)."""

    client_id: uuid.UUID
    secret: str
    method: str


def build_oauth_router(
    db: async_sessionmaker[AsyncSession],
    keys: KeyRing,
    rules: TokenRules,
    *,
    limiter: RateLimiter,
    limits: IdentityLimits,
) -> APIRouter:
    """The token route, issuing tokens with ``keys`` under ``rules``; the client address and
    the client id are rate-limited before the secret's (costly) hash is checked."""
    router = APIRouter(tags=["upstream services"])

    @router.post(
        "/v1/oauth/token",
        responses={
            400: _oauth_error("RFC 6749 §5.2 error"),
            401: _oauth_error("invalid_client (unknown client, wrong secret, revoked)"),
            **problem_responses({429: ["rate_limited"]}),  # with Retry-After
        },
        openapi_extra={
            "requestBody": {"required": True, "content": {FORM: {"schema": TOKEN_FORM}}}
        },
    )
    async def token(request: Request) -> JSONResponse:
        """A short-lived bearer token for a service client (client credentials grant)."""
        try:
            form = _form(request.headers.get("content-type", ""), await request.body())
            credentials = _credentials(request.headers.get("authorization"), form)
            await limiter.check(limits.token_per_address, client_address(request))
            await limiter.check(limits.token_per_client, str(credentials.client_id))
            return await _issue(db, keys, rules, form, credentials)
        except OAuthError as error:
            return _error(error, basic=request.headers.get("authorization") is not None)

    return router


async def _issue(
    db: async_sessionmaker[AsyncSession],
    keys: KeyRing,
    rules: TokenRules,
    form: dict[str, str],
    credentials: Credentials,
) -> JSONResponse:
    if form.get("grant_type") != "client_credentials":
        raise OAuthError("unsupported_grant_type", "only grant_type=client_credentials is offered")
    async with db() as session:
        client = await authenticate_client(session, credentials.client_id, credentials.secret)
    if client is None:
        raise OAuthError("invalid_client", "unknown client, wrong secret or revoked", 401)
    wanted = frozenset(form["scope"].split()) if form.get("scope") else client.scopes
    if not wanted or not wanted <= client.scopes:
        raise OAuthError(
            "invalid_scope", f"this client may ask for: {' '.join(sorted(client.scopes))}"
        )
    signed = issue_client_token(client, wanted, keys=keys, rules=rules)
    body = {
        "access_token": signed.token,
        "token_type": "Bearer",
        "expires_in": rules.max_lifetime_seconds,
        "scope": " ".join(sorted(wanted)),
    }
    return JSONResponse(body, headers=NO_STORE)


def _form(content_type: str, body: bytes) -> dict[str, str]:
    if content_type.split(";", maxsplit=1)[0].strip().lower() != FORM:
        raise OAuthError("invalid_request", f"send the parameters as {FORM}")
    try:
        fields = parse_qs(body.decode(), strict_parsing=bool(body), max_num_fields=10)
    except (UnicodeDecodeError, ValueError):
        raise OAuthError("invalid_request", "the form cannot be parsed") from None
    # RFC 6749 §3.1: unknown parameters are ignored; a known one must not come twice.
    known = {name: values for name, values in fields.items() if name in KNOWN}
    if any(len(values) > 1 for values in known.values()):
        raise OAuthError("invalid_request", "a parameter is given twice")
    return {name: values[0] for name, values in known.items()}


def _credentials(authorization: str | None, form: dict[str, str]) -> Credentials:
    in_body = "client_id" in form or "client_secret" in form
    if authorization is not None and in_body:
        raise OAuthError("invalid_request", "use one client authentication method, not two")
    if authorization is not None:
        client_id, secret = _basic(authorization)
        method = "basic"
    else:
        client_id, secret, method = form.get("client_id", ""), form.get("client_secret", ""), "post"
    if not client_id or not secret:
        raise OAuthError("invalid_client", "client authentication is required", 401)
    try:
        return Credentials(uuid.UUID(client_id), secret, method)
    except ValueError:
        raise OAuthError("invalid_client", "unknown client, wrong secret or revoked", 401) from None


def _basic(authorization: str) -> tuple[str, str]:
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        raise OAuthError("invalid_client", "use HTTP Basic client authentication", 401)
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError("invalid_client", "malformed Basic credentials", 401) from None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise OAuthError("invalid_client", "malformed Basic credentials", 401)
    # RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
    return unquote_plus(client_id), unquote_plus(secret)


def _error(error: OAuthError, *, basic: bool) -> JSONResponse:
    headers = dict(NO_STORE)
    if error.status == 401 and basic:
        headers["WWW-Authenticate"] = 'Basic realm="orderflow"'
    body = {"error": error.error, "error_description": error.description}
    return JSONResponse(body, status_code=error.status, headers=headers)
