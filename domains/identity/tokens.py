"""Signed access tokens: HS256 JWTs with ``iss``, ``sub``, ``roles``, ``iat`` and ``exp``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from domains.identity.principal import ROLES, Principal, Unauthenticated

ISSUER = "orderflow"
ALGORITHM = "HS256"


@dataclass(frozen=True)
class AccessToken:
    """A bearer token and the moment it stops working."""

    token: str
    expires_at: datetime


def issue_access_token(
    principal: Principal, *, secret: str, ttl_seconds: int, now: datetime | None = None
) -> AccessToken:
    """A token for ``principal`` valid ``ttl_seconds`` from ``now`` (tests mint tokens here)."""
    issued = (now or datetime.now(UTC)).replace(microsecond=0)
    expires = issued + timedelta(seconds=ttl_seconds)
    claims = {
        "iss": ISSUER,
        "sub": str(principal.user_id),
        "roles": sorted(principal.roles),
        "iat": issued,
        "exp": expires,
        "jti": uuid.uuid4().hex,
    }
    return AccessToken(jwt.encode(claims, secret, algorithm=ALGORITHM), expires)


def decode_access_token(token: str, secret: str) -> Principal:
    """The principal of a valid token; ``Unauthenticated`` (invalid_token, token_expired)."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["iss", "sub", "iat", "exp"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated(
            "the access token expired; log in again", code="token_expired"
        ) from None
    except jwt.InvalidTokenError:
        raise _invalid() from None
    return _principal(claims)


def _principal(claims: dict[str, Any]) -> Principal:
    roles = claims.get("roles")
    if not isinstance(roles, list) or not all(isinstance(r, str) and r in ROLES for r in roles):
        raise _invalid()
    try:
        user_id = uuid.UUID(claims["sub"])
    except (TypeError, ValueError):
        raise _invalid() from None
    return Principal(user_id, frozenset(roles))


def _invalid() -> Unauthenticated:
    return Unauthenticated("the access token is not valid; log in again", code="invalid_token")
