"""Identity rules: canonical e-mails, known roles, one-use expiring resets, derived tokens."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from domains.identity.model import PasswordReset, User, normalize_email
from domains.identity.reset_tokens import derive_reset_token, hash_reset_token
from domains.shared import InvalidInput

SECRET = "unit-test-secret-unit-test-secret-0123456789"


def test_emails_are_trimmed_and_lower_cased() -> None:
    assert normalize_email("  Ada@Example.COM ") == "ada@example.com"


@pytest.mark.parametrize("email", ["ada", "ada@", "@example.com", "a b@example.com", "a@b"])
def test_non_addresses_are_refused(email: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        normalize_email(email)

    assert refused.value.code == "bad_email"


@pytest.mark.parametrize("roles", [frozenset(), frozenset({"root"})])
def test_users_have_known_roles_only(roles: frozenset[str]) -> None:
    with pytest.raises(InvalidInput) as refused:
        User.register("ada@example.com", "$argon2id$...", roles)

    assert refused.value.code == "bad_roles"


def test_a_reset_works_once() -> None:
    reset = PasswordReset.issue(uuid.uuid4(), uuid.uuid4(), b"h", timedelta(hours=1))
    now = datetime.now(UTC)

    reset.use(now)

    with pytest.raises(InvalidInput) as refused:
        reset.use(now)
    assert refused.value.code == "reset_token_used"


def test_an_expired_reset_is_refused() -> None:
    reset = PasswordReset.issue(uuid.uuid4(), uuid.uuid4(), b"h", timedelta(minutes=5))

    with pytest.raises(InvalidInput) as refused:
        reset.use(reset.expires_at)

    assert refused.value.code == "reset_token_expired"
    assert reset.used_at is None


def test_reset_tokens_are_recomputable_per_reset_and_stored_only_hashed() -> None:
    reset_id = uuid.uuid4()
    token = derive_reset_token(SECRET, reset_id)

    assert token == derive_reset_token(SECRET, reset_id)
    assert token != derive_reset_token(SECRET, uuid.uuid4())
    assert token != derive_reset_token(SECRET + "x", reset_id)
    assert len(token) == 43
    assert token.isascii()
    assert hash_reset_token(token) != token.encode()
    assert len(hash_reset_token(token)) == 32
