"""Password rules and the argon2id key derivation (argon2-cffi; RFC 9106 low-memory profile by
default, tunable through the settings).

Hashing costs tens of milliseconds of CPU on purpose: call these through
``asyncio.to_thread`` from async code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domains.shared import InvalidInput

MIN_PASSWORD = 10
MAX_PASSWORD = 256


def check_password_policy(password: str) -> None:
    """Passwords have 10 to 256 characters and are not only whitespace."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD or not password.strip():
        raise InvalidInput(
            f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters", code="weak_password"
        )


@dataclass(frozen=True)
class Passwords:
    """argon2id with these parameters; every hash stores its own, so old hashes still verify
    and ``needs_rehash`` tells when a login should upgrade one."""

    time_cost: int = 3
    memory_kib: int = 65_536
    parallelism: int = 4

    @cached_property
    def _hasher(self) -> PasswordHasher:
        return PasswordHasher(
            time_cost=self.time_cost, memory_cost=self.memory_kib, parallelism=self.parallelism
        )

    def hash(self, password: str) -> str:
        """The argon2id hash (PHC string, salt and parameters included) of ``password``."""
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether ``password`` matches ``password_hash``; a malformed hash never matches."""
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether ``password_hash`` was made with other parameters than these."""
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return False

    def burn_verification_time(self, password: str) -> None:
        """Verify against a dummy hash so an unknown e-mail costs as much as a wrong password."""
        self.verify(self._dummy_hash, password)

    @cached_property
    def _dummy_hash(self) -> str:
        return self.hash("not a password anyone has")


# Service-client secrets (``client_store``) are hashed with the default parameters: they are
# random and long, so no deployment setting is needed to make them hard to guess.
CLIENT_SECRETS = Passwords()
hash_password = CLIENT_SECRETS.hash
verify_password = CLIENT_SECRETS.verify
