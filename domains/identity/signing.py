"""Signed tokens of any kind: HS256 JWTs with a key ring, issuer, audience and lifetime rules.

Nothing here knows about users. User access tokens (``access_tokens``) are one kind; tokens for
service clients can be another, with their own ``TokenRules`` (audience, type, claims) and the
same keys. Every refusal is an ``Unauthenticated`` whose ``reason`` says why, for logs and
metrics; the client only learns ``invalid_token`` or ``token_expired``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from domains.identity.principal import Unauthenticated

ALGORITHM = "HS256"
REGISTERED = ("iss", "aud", "sub", "iat", "exp", "jti")
LEEWAY_SECONDS = 5  # clock skew between API processes


@dataclass(frozen=True)
class SigningKey:
    """One HS256 key; ``accept_until`` is set once it is rotated out (verification only)."""

    kid: str
    secret: str = field(repr=False)
    accept_until: datetime | None = None


@dataclass(frozen=True)
class KeyRing:
    """The key that signs now, and the rotated-out keys still accepted for a grace period."""

    current: SigningKey
    previous: tuple[SigningKey, ...] = ()

    def __post_init__(self) -> None:
        kids = [self.current.kid, *(key.kid for key in self.previous)]
        if len(set(kids)) != len(kids):
            raise ValueError(f"signing key ids must differ: {kids}")

    def verifying_key(self, kid: object, now: datetime) -> SigningKey:
        """The key for ``kid``; refused when unknown or past its grace period."""
        if kid == self.current.kid:
            return self.current
        for key in self.previous:
            if key.kid == kid:
                if key.accept_until is not None and now >= key.accept_until:
                    raise TokenRefused("retired_key")
                return key
        raise TokenRefused("unknown_key")


@dataclass(frozen=True)
class TokenRules:
    """What every token of one kind carries and must satisfy to be accepted."""

    issuer: str
    audience: str
    token_type: str  # the JOSE "typ" header, so one kind of token cannot pass for another
    max_lifetime_seconds: int
    claims: tuple[str, ...] = ()  # required beyond the registered ones


@dataclass(frozen=True)
class SignedToken:
    """A compact JWT, its id and the moment it stops working."""

    token: str
    token_id: str
    expires_at: datetime


class TokenRefused(Unauthenticated):
    """A token failed verification; ``reason`` is for logs, the code for the client."""

    def __init__(self, reason: str, *, code: str = "invalid_token", detail: str = "") -> None:
        default = (
            "the access token expired; refresh it or log in again"
            if code == "token_expired"
            else "the access token is not valid; log in again"
        )
        super().__init__(detail or default, code=code)
        self.reason = reason


def sign_token(
    subject: str,
    claims: Mapping[str, Any],
    *,
    keys: KeyRing,
    rules: TokenRules,
    ttl_seconds: int,
    now: datetime | None = None,
) -> SignedToken:
    """A token for ``subject`` with ``claims``, valid ``ttl_seconds`` from ``now``."""
    issued = (now or datetime.now(UTC)).replace(microsecond=0)
    expires = issued + timedelta(seconds=ttl_seconds)
    token_id = uuid.uuid4().hex
    payload = {
        **claims,
        "iss": rules.issuer,
        "aud": rules.audience,
        "sub": subject,
        "iat": issued,
        "exp": expires,
        "jti": token_id,
    }
    headers = {"kid": keys.current.kid, "typ": rules.token_type}
    encoded = jwt.encode(payload, keys.current.secret, algorithm=ALGORITHM, headers=headers)
    return SignedToken(encoded, token_id, expires)


def verify_token(
    token: str, *, keys: KeyRing, rules: TokenRules, now: datetime | None = None
) -> dict[str, Any]:
    """The claims of a valid token; ``TokenRefused`` otherwise (checked: key, type,
    signature, issuer, audience, expiry, issue time, lifetime, required claims)."""
    moment = now or datetime.now(UTC)
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        raise TokenRefused("malformed") from None
    if header.get("typ") != rules.token_type:
        raise TokenRefused("wrong_type")
    key = keys.verifying_key(header.get("kid"), moment)
    claims = _decode(token, key, rules, moment)
    lifetime = claims["exp"] - claims["iat"]
    if not isinstance(lifetime, int | float) or lifetime > rules.max_lifetime_seconds:
        raise TokenRefused("lifetime_too_long")
    if claims["iat"] > moment.timestamp() + LEEWAY_SECONDS:
        raise TokenRefused("issued_in_the_future")
    return claims


def _decode(token: str, key: SigningKey, rules: TokenRules, now: datetime) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key.secret,
            algorithms=[ALGORITHM],
            audience=rules.audience,
            issuer=rules.issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": [*REGISTERED, *rules.claims], "verify_iat": False},
        )
    except jwt.ExpiredSignatureError:
        raise TokenRefused("expired", code="token_expired") from None
    except jwt.InvalidAudienceError:
        raise TokenRefused("wrong_audience") from None
    except jwt.InvalidIssuerError:
        raise TokenRefused("wrong_issuer") from None
    except jwt.InvalidSignatureError:
        raise TokenRefused("bad_signature") from None
    except jwt.InvalidTokenError:
        raise TokenRefused("invalid_claims") from None
    return claims
