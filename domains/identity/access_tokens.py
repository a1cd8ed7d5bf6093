"""User access tokens: short-lived JWTs naming the user, its roles and its session.

Claims: ``iss``, ``aud``, ``sub`` (user id), ``sid`` (session id), ``roles``, ``iat``, ``exp``,
``jti``; header ``kid`` and ``typ: at+jwt`` (RFC 9068). A token is only as good as its session:
the HTTP edge also asks whether ``sid`` is still open (``session_check``).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from domains.identity.principal import ROLES, Principal
from domains.identity.signing import (
    KeyRing,
    SignedToken,
    TokenRefused,
    TokenRules,
    sign_token,
    verify_token,
)

USER_TOKEN_TYPE = "at+jwt"  # noqa: S105 (a JOSE "typ" value, not a secret)


def user_token_rules(issuer: str, audience: str, ttl_seconds: int) -> TokenRules:
    """The rules of user access tokens: no token may claim to live longer than we issue them."""
    return TokenRules(
        issuer=issuer,
        audience=audience,
        token_type=USER_TOKEN_TYPE,
        max_lifetime_seconds=ttl_seconds,
        claims=("sid", "roles"),
    )


def issue_access_token(
    principal: Principal,
    session_id: uuid.UUID,
    *,
    keys: KeyRing,
    rules: TokenRules,
    now: datetime | None = None,
    ttl_seconds: int | None = None,
) -> SignedToken:
    """A token for ``principal`` in ``session_id`` (``ttl_seconds``: the longest allowed)."""
    claims = {"sid": str(session_id), "roles": sorted(principal.roles)}
    ttl = rules.max_lifetime_seconds if ttl_seconds is None else ttl_seconds
    return sign_token(
        str(principal.user_id), claims, keys=keys, rules=rules, ttl_seconds=ttl, now=now
    )


def decode_access_token(
    token: str, *, keys: KeyRing, rules: TokenRules, now: datetime | None = None
) -> Principal:
    """The principal of a valid token (its session not yet checked); ``TokenRefused``."""
    claims = verify_token(token, keys=keys, rules=rules, now=now)
    roles = claims["roles"]
    if not isinstance(roles, list) or not all(isinstance(r, str) and r in ROLES for r in roles):
        raise TokenRefused("bad_roles")
    try:
        user_id = uuid.UUID(claims["sub"])
        session_id = uuid.UUID(claims["sid"])
    except (TypeError, ValueError, AttributeError):
        raise TokenRefused("bad_subject") from None
    return Principal(user_id, frozenset(roles), session_id)
