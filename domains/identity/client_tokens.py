"""Access tokens of service clients (OAuth 2.0 client credentials, RFC 6749 §4.4).

The same key ring and signing rules as users' tokens, with a type of their own, so one kind can
never pass for the other. Claims: ``iss``, ``aud``, ``sub`` and ``client_id`` (the client's
id), ``client_name``, ``scope`` (space-separated, RFC 8693 §4.2), ``iat``, ``exp``, ``jti``.
A token is only as good as its client: the edge also asks whether the client is still active
(``ActiveClients``), so a revocation is refused by every API process within seconds.
"""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.identity.client_store import find_client
from domains.identity.principal import Unauthenticated
from domains.identity.service_clients import SCOPES, ServiceClient
from domains.identity.session_check import FreshnessCache
from domains.identity.signing import (
    KeyRing,
    SignedToken,
    TokenRefused,
    TokenRules,
    sign_token,
    verify_token,
)

log = structlog.get_logger("orderflow.identity.client_tokens")
CLIENT_TOKEN_TYPE = "client+jwt"  # noqa: S105 (a JOSE "typ" value, not a secret)


def client_token_rules(issuer: str, audience: str, ttl_seconds: int) -> TokenRules:
    """The rules of client tokens: no token may claim to live longer than we issue them."""
    return TokenRules(
        issuer=issuer,
        audience=audience,
        token_type=CLIENT_TOKEN_TYPE,
        max_lifetime_seconds=ttl_seconds,
        claims=("client_id", "client_name", "scope"),
    )


def issue_client_token(
    client: ServiceClient, scopes: frozenset[str], *, keys: KeyRing, rules: TokenRules
) -> SignedToken:
    """A token for ``client`` carrying ``scopes`` (a subset of its own)."""
    claims = {
        "client_id": str(client.client_id),
        "client_name": client.name,
        "scope": " ".join(sorted(scopes)),
    }
    return sign_token(
        str(client.client_id),
        claims,
        keys=keys,
        rules=rules,
        ttl_seconds=rules.max_lifetime_seconds,
    )


def decode_client_token(token: str, *, keys: KeyRing, rules: TokenRules) -> ServiceClient:
    """The client and scopes of a valid token (not yet checked for revocation)."""
    claims = verify_token(token, keys=keys, rules=rules)
    scope = claims["scope"]
    if not isinstance(scope, str) or not set(scope.split()) <= SCOPES:
        raise TokenRefused("bad_scope")
    try:
        client_id = uuid.UUID(claims["client_id"])
    except (TypeError, ValueError, AttributeError):
        raise TokenRefused("bad_subject") from None
    if claims["sub"] != str(client_id) or not isinstance(claims["client_name"], str):
        raise TokenRefused("bad_subject")
    return ServiceClient(client_id, claims["client_name"], frozenset(scope.split()))


class ActiveClients:
    """Whether a client is still active, from PostgreSQL behind a per-process cache of
    ``ttl_seconds``: a revoked client's tokens are refused within that bound."""

    def __init__(self, db: async_sessionmaker[AsyncSession], ttl_seconds: float) -> None:
        self._db = db
        self._cache: FreshnessCache[uuid.UUID] = FreshnessCache(self._look_up, ttl_seconds)

    async def is_active(self, client_id: uuid.UUID) -> bool:
        """True while the client is not revoked (an answer at most ``ttl_seconds`` old)."""
        return await self._cache.answer(client_id)

    async def _look_up(self, client_id: uuid.UUID) -> bool:
        async with self._db() as session:
            return await find_client(session, client_id) is not None


class ClientTokens:
    """Client tokens signed with the deployment's keys, refused once their client is revoked
    (``ActiveClients``: within its cache's seconds, on every API process)."""

    def __init__(self, keys: KeyRing, rules: TokenRules, active: ActiveClients) -> None:
        self._keys, self._rules, self._active = keys, rules, active

    async def authenticate(self, token: str) -> ServiceClient:
        """The client of a valid token whose client is still active; ``Unauthenticated``."""
        try:
            client = decode_client_token(token, keys=self._keys, rules=self._rules)
        except TokenRefused as refused:
            log.info("client_token_refused", reason=refused.reason)
            raise
        if not await self._active.is_active(client.client_id):
            log.info("client_token_refused", reason="client_revoked")
            raise Unauthenticated(
                "this client was revoked; ask an operator for a new one", code="client_revoked"
            )
        return client
