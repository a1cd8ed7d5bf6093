"""Bearer kinds: a token goes to the kind its ``typ`` names, and no kind accepts another's."""

from __future__ import annotations

import uuid

import pytest

from domains.identity.api import (
    BearerTokens,
    KeyRing,
    Principal,
    SigningKey,
    TokenRefused,
    TokenRules,
    UserAccessTokens,
    issue_access_token,
    sign_token,
    user_token_rules,
    verify_token,
)
from tests.support.session_checks import InMemorySessions

KEYS = KeyRing(SigningKey("k1", "bearer-kinds-secret-bearer-kinds-secret-0123"))
USER_RULES = user_token_rules("orderflow", "orderflow-api", 900)
# What a second kind looks like: its own type and audience, the same keys.
CLIENT_RULES = TokenRules(
    issuer="orderflow",
    audience="orderflow-partners",
    token_type="client+jwt",
    max_lifetime_seconds=300,
    claims=("scope",),
)


class ClientTokens:
    """A made-up second kind: a client's token names the client as its subject."""

    token_type = CLIENT_RULES.token_type

    async def authenticate(self, token: str) -> Principal:
        claims = verify_token(token, keys=KEYS, rules=CLIENT_RULES)
        return Principal(uuid.UUID(claims["sub"]), frozenset())


def _user_token(sessions: InMemorySessions) -> tuple[str, Principal]:
    principal = Principal(uuid.uuid4(), frozenset({"customer"}))
    session = sessions.open(principal.user_id)
    return issue_access_token(principal, session, keys=KEYS, rules=USER_RULES).token, principal


def _client_token(client_id: uuid.UUID, rules: TokenRules = CLIENT_RULES) -> str:
    return sign_token(
        str(client_id), {"scope": "orders:read"}, keys=KEYS, rules=rules, ttl_seconds=300
    ).token


async def test_each_kind_authenticates_its_own_tokens() -> None:
    sessions = InMemorySessions()
    tokens = BearerTokens(UserAccessTokens(KEYS, USER_RULES, sessions), ClientTokens())
    user_token, user = _user_token(sessions)
    client_id = uuid.uuid4()

    assert (await tokens.authenticate(user_token)).user_id == user.user_id
    assert (await tokens.authenticate(_client_token(client_id))).user_id == client_id


async def test_a_token_of_a_kind_not_installed_is_refused() -> None:
    tokens = BearerTokens(UserAccessTokens(KEYS, USER_RULES, InMemorySessions()))

    with pytest.raises(TokenRefused) as refused:
        await tokens.authenticate(_client_token(uuid.uuid4()))

    assert (refused.value.code, refused.value.reason) == ("invalid_token", "wrong_type")


async def test_a_kind_checks_its_own_audience_not_just_its_type() -> None:
    tokens = BearerTokens(ClientTokens())
    # Typed as a client token but minted for the users' audience: the client rules refuse it.
    mislabelled = TokenRules(
        "orderflow", USER_RULES.audience, CLIENT_RULES.token_type, 300, ("scope",)
    )

    with pytest.raises(TokenRefused) as refused:
        await tokens.authenticate(_client_token(uuid.uuid4(), mislabelled))

    assert refused.value.reason == "wrong_audience"


async def test_a_user_token_of_an_ended_session_is_refused_as_such() -> None:
    sessions = InMemorySessions()
    tokens = BearerTokens(UserAccessTokens(KEYS, USER_RULES, sessions))
    token, _ = _user_token(sessions)
    principal = await tokens.authenticate(token)
    assert principal.session_id is not None
    sessions.end(principal.session_id)

    with pytest.raises(TokenRefused) as refused:
        await tokens.authenticate(token)

    assert (refused.value.code, refused.value.reason) == ("session_ended", "session_ended")


async def test_garbage_and_duplicate_kinds_are_refused() -> None:
    users = UserAccessTokens(KEYS, USER_RULES, InMemorySessions())

    with pytest.raises(TokenRefused) as refused:
        await BearerTokens(users).authenticate("not a token")
    with pytest.raises(ValueError, match="share one token type"):
        BearerTokens(users, users)

    assert refused.value.reason == "malformed"
