"""Password rules and the argon2id key derivation (argon2-cffi's RFC 9106 low-memory profile).

Hashing costs tens of milliseconds of CPU on purpose: call these through
``asyncio.to_thread`` from async code.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domains.shared import InvalidInput

MIN_PASSWORD = 10
MAX_PASSWORD = 256

_hasher = PasswordHasher()  # argon2id; parameters are stored in every hash


def check_password_policy(password: str) -> None:
    """Passwords have 10 to 256 characters and are not only whitespace."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD or not password.strip():
        raise InvalidInput(
            f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters", code="weak_password"
        )


def hash_password(password: str) -> str:
    """The argon2id hash (PHC string, salt and parameters included) of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; a malformed hash never matches."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def burn_verification_time(password: str) -> None:
    """Verify against a dummy hash so an unknown e-mail costs as much as a wrong password."""
    verify_password(_dummy_hash(), password)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("not a password anyone has")
