"""Access tokens: valid ones give the principal; anything not exactly as issued is refused.

Each refusal carries a reason (for logs and metrics); the client sees invalid_token or
token_expired only.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from domains.identity.api import (
    KeyRing,
    Principal,
    SigningKey,
    TokenRefused,
    decode_access_token,
    issue_access_token,
    user_token_rules,
)

SECRET = "unit-test-secret-unit-test-secret-0123456789"
OLD_SECRET = "old-unit-test-secret-old-unit-test-secret-01"
KEYS = KeyRing(SigningKey("k2", SECRET))
RULES = user_token_rules("orderflow", "orderflow-api", 900)
ADMIN = Principal(uuid.uuid4(), frozenset({"admin", "operator"}))
SESSION = uuid.uuid4()


def _issue(keys: KeyRing = KEYS, **options: Any) -> str:
    return issue_access_token(ADMIN, SESSION, keys=keys, rules=RULES, **options).token


def _claims(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims = {
        "iss": "orderflow",
        "aud": "orderflow-api",
        "sub": str(ADMIN.user_id),
        "sid": str(SESSION),
        "roles": ["admin"],
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "jti": "j1",
    }
    # A timedelta is an offset from now: a time fixed when the tests were collected goes stale.
    merged = {**claims, **overrides}
    return {
        k: now + v if isinstance(v, timedelta) else v for k, v in merged.items() if v is not None
    }


def _signed(claims: dict[str, Any], *, kid: str = "k2", typ: str = "at+jwt") -> str:
    return jwt.encode(claims, SECRET, algorithm="HS256", headers={"kid": kid, "typ": typ})


def _refusal(token: str, keys: KeyRing = KEYS, now: datetime | None = None) -> tuple[str, str]:
    with pytest.raises(TokenRefused) as refused:
        decode_access_token(token, keys=keys, rules=RULES, now=now)
    return refused.value.code, refused.value.reason


def test_a_fresh_token_gives_its_principal_and_session() -> None:
    principal = decode_access_token(_issue(), keys=KEYS, rules=RULES)

    assert principal == Principal(ADMIN.user_id, ADMIN.roles, SESSION)


def test_the_token_names_its_key_type_audience_and_issuer() -> None:
    token = _issue()
    header, claims = (
        jwt.get_unverified_header(token),
        jwt.decode(token, SECRET, ["HS256"], audience="orderflow-api"),
    )

    assert (header["kid"], header["typ"]) == ("k2", "at+jwt")
    assert (claims["iss"], claims["aud"], claims["sid"]) == (
        "orderflow",
        "orderflow-api",
        str(SESSION),
    )
    assert claims["exp"] - claims["iat"] == 900


def test_an_expired_token_is_refused_as_expired() -> None:
    assert _refusal(_issue(now=datetime.now(UTC) - timedelta(hours=1))) == (
        "token_expired",
        "expired",
    )


def test_a_ten_year_token_signed_with_the_key_is_refused() -> None:
    ten_years = 10 * 365 * 86_400

    assert _refusal(_issue(ttl_seconds=ten_years)) == ("invalid_token", "lifetime_too_long")


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"aud": "another-service"}, "wrong_audience"),
        ({"iss": "someone-else"}, "wrong_issuer"),
        ({"aud": None}, "invalid_claims"),
        ({"iss": None}, "invalid_claims"),
        ({"exp": None}, "invalid_claims"),
        ({"iat": None}, "invalid_claims"),
        ({"sid": None}, "invalid_claims"),
        ({"iat": timedelta(minutes=2)}, "issued_in_the_future"),
        ({"sub": "not-a-uuid"}, "bad_subject"),
        ({"roles": ["superuser"]}, "bad_roles"),
        ({"roles": "admin"}, "bad_roles"),
    ],
    ids=lambda value: value if isinstance(value, str) else "-".join(value),
)
def test_claims_that_break_a_rule_are_refused(overrides: dict[str, Any], reason: str) -> None:
    assert _refusal(_signed(_claims(**overrides))) == ("invalid_token", reason)


def test_unknown_kid_wrong_type_and_a_forged_signature_are_refused() -> None:
    forger = KeyRing(SigningKey("k2", "forged-secret-forged-secret-forged-0123"))

    assert _refusal(_signed(_claims(), kid="k9")) == ("invalid_token", "unknown_key")
    assert _refusal(_signed(_claims(), typ="JWT")) == ("invalid_token", "wrong_type")
    assert _refusal(_issue(forger)) == ("invalid_token", "bad_signature")


def test_an_old_key_is_accepted_until_its_grace_period_ends() -> None:
    ends = datetime.now(UTC) + timedelta(minutes=10)
    rotated = KeyRing(SigningKey("k2", SECRET), (SigningKey("k1", OLD_SECRET, ends),))
    by_old_key = _issue(KeyRing(SigningKey("k1", OLD_SECRET)))

    assert decode_access_token(by_old_key, keys=rotated, rules=RULES).user_id == ADMIN.user_id
    assert _refusal(by_old_key, rotated, now=ends + timedelta(seconds=1)) == (
        "invalid_token",
        "retired_key",
    )
    assert _refusal(by_old_key) == ("invalid_token", "unknown_key")  # once removed
    assert jwt.get_unverified_header(_issue(rotated))["kid"] == "k2"  # new tokens: new key


def test_key_ids_must_differ() -> None:
    with pytest.raises(ValueError, match="must differ"):
        KeyRing(SigningKey("k1", SECRET), (SigningKey("k1", OLD_SECRET),))


def test_unsigned_tampered_and_garbage_tokens_are_refused() -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"at+jwt","kid":"k2"}').rstrip(b"=")
    body = json.dumps(_claims(), default=lambda d: int(d.timestamp())).encode()
    unsigned = b".".join([header, base64.urlsafe_b64encode(body).rstrip(b"="), b""]).decode()
    head, _, signature = _issue().split(".")
    escalated = json.dumps(_claims(roles=["admin"]), default=lambda d: int(d.timestamp()))
    payload = base64.urlsafe_b64encode(escalated.encode()).rstrip(b"=").decode()

    assert _refusal(unsigned)[0] == "invalid_token"
    assert _refusal(f"{head}.{payload}.{signature}") == ("invalid_token", "bad_signature")
    assert _refusal("not.a.token") == ("invalid_token", "malformed")
