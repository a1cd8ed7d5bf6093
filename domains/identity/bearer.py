"""Bearer tokens the API accepts, one ``BearerKind`` per kind of token.

A kind is chosen by the token's JOSE ``typ`` header (read before the signature is checked, so it
only picks which rules apply; each kind then verifies everything). User access tokens
(``at+jwt``, ``UserAccessTokens``) are the one kind so far. Another kind — say, tokens of service
clients with their own audience and scopes — is a class with a ``token_type`` and an
``authenticate`` that verifies with its own ``TokenRules`` (``signing.verify_token``, same key
ring) and, when its validity lives in PostgreSQL, asks through a ``FreshnessCache``; the
composition root then passes it to ``BearerTokens`` next to the user kind.
"""

from __future__ import annotations

from typing import Protocol

import jwt

from domains.identity.access_tokens import USER_TOKEN_TYPE, decode_access_token
from domains.identity.principal import Principal
from domains.identity.session_check import SessionCheck
from domains.identity.signing import KeyRing, TokenRefused, TokenRules

SESSION_ENDED = "this session has ended (logged out, password or roles changed); log in again"


class BearerKind(Protocol):
    """One kind of bearer token: its ``typ`` header and how a token of it becomes a caller."""

    @property
    def token_type(self) -> str:
        """The JOSE ``typ`` header of this kind's tokens."""
        ...

    async def authenticate(self, token: str) -> Principal:
        """The caller a token of this kind names; ``TokenRefused`` (with a reason) otherwise."""
        ...


class UserAccessTokens:
    """Users' access tokens: valid claims (``access_tokens``) and a session still open."""

    token_type = USER_TOKEN_TYPE

    def __init__(self, keys: KeyRing, rules: TokenRules, sessions: SessionCheck) -> None:
        if rules.token_type != self.token_type:
            raise ValueError(f"user access tokens are {self.token_type}, not {rules.token_type}")
        self._keys = keys
        self._rules = rules
        self._sessions = sessions

    async def authenticate(self, token: str) -> Principal:
        """The principal of a valid token whose session is open."""
        principal = decode_access_token(token, keys=self._keys, rules=self._rules)
        assert principal.session_id is not None  # user access tokens always name their session
        if not await self._sessions.is_open(principal.session_id, principal.user_id):
            raise TokenRefused("session_ended", code="session_ended", detail=SESSION_ENDED)
        return principal


class BearerTokens:
    """Every kind of bearer token the API accepts, picked by ``typ``."""

    def __init__(self, *kinds: BearerKind) -> None:
        self._kinds = {kind.token_type: kind for kind in kinds}
        if len(self._kinds) != len(kinds):
            raise ValueError("two bearer kinds share one token type")

    async def authenticate(self, token: str) -> Principal:
        """The caller ``token`` names, whatever its kind; ``TokenRefused`` otherwise."""
        try:
            token_type = jwt.get_unverified_header(token).get("typ")
        except jwt.InvalidTokenError:
            raise TokenRefused("malformed") from None
        kind = self._kinds.get(token_type) if isinstance(token_type, str) else None
        if kind is None:
            raise TokenRefused("wrong_type")
        return await kind.authenticate(token)
