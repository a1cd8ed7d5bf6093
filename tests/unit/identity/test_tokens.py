"""Access tokens: valid ones give the principal; expired, forged or odd ones are refused."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from domains.identity.api import (
    Principal,
    Unauthenticated,
    decode_access_token,
    issue_access_token,
)

SECRET = "unit-test-secret-unit-test-secret-0123456789"
ADMIN = Principal(uuid.uuid4(), frozenset({"admin", "operator"}))


def _claims(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims = {
        "iss": "orderflow",
        "sub": str(ADMIN.user_id),
        "roles": ["admin"],
        "iat": now,
        "exp": now + timedelta(minutes=5),
    }
    return {k: v for k, v in {**claims, **overrides}.items() if v is not None}


def _refused(token: str) -> str:
    with pytest.raises(Unauthenticated) as refused:
        decode_access_token(token, SECRET)
    return refused.value.code


def test_a_token_round_trips_the_principal_and_expires_after_its_ttl() -> None:
    now = datetime.now(UTC)
    issued = issue_access_token(ADMIN, secret=SECRET, ttl_seconds=900, now=now)

    assert decode_access_token(issued.token, SECRET) == ADMIN
    assert timedelta(seconds=899) <= issued.expires_at - now <= timedelta(seconds=900)


def test_an_expired_token_is_refused_as_expired() -> None:
    old = datetime.now(UTC) - timedelta(hours=1)
    issued = issue_access_token(ADMIN, secret=SECRET, ttl_seconds=60, now=old)

    assert _refused(issued.token) == "token_expired"


def test_a_token_signed_with_another_secret_is_refused() -> None:
    forged = issue_access_token(ADMIN, secret="another-secret-another-secret-0123", ttl_seconds=60)

    assert _refused(forged.token) == "invalid_token"


def test_an_unsigned_alg_none_token_is_refused() -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=")
    body = json.dumps(_claims(), default=lambda d: int(d.timestamp())).encode()
    token = b".".join([header, base64.urlsafe_b64encode(body).rstrip(b"="), b""]).decode()

    assert _refused(token) == "invalid_token"


def test_a_tampered_payload_breaks_the_signature() -> None:
    header, _, signature = issue_access_token(ADMIN, secret=SECRET, ttl_seconds=60).token.split(".")
    escalated = json.dumps(_claims(roles=["admin"]), default=lambda d: int(d.timestamp()))
    payload = base64.urlsafe_b64encode(escalated.encode()).rstrip(b"=").decode()

    assert _refused(f"{header}.{payload}.{signature}") == "invalid_token"


@pytest.mark.parametrize(
    "overrides",
    [
        {"iss": "someone-else"},
        {"exp": None},
        {"iat": None},
        {"sub": "not-a-uuid"},
        {"roles": ["superuser"]},
        {"roles": "admin"},
    ],
    ids=["issuer", "no-exp", "no-iat", "sub", "unknown-role", "roles-not-a-list"],
)
def test_well_signed_tokens_with_bad_claims_are_refused(overrides: dict[str, Any]) -> None:
    token = jwt.encode(_claims(**overrides), SECRET, algorithm="HS256")

    assert _refused(token) == "invalid_token"


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c"])
def test_garbage_is_refused(token: str) -> None:
    assert _refused(token) == "invalid_token"


def test_roles_are_checked_exactly() -> None:
    customer = Principal(uuid.uuid4(), frozenset({"customer"}))

    assert customer.has_role("customer")
    assert not customer.has_role("admin")
    assert ADMIN.has_role("operator")
