"""Users, password resets and sign-up attempts: plain Python, no persistence or framework code."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from domains.identity.principal import ROLES, Principal
from domains.shared import InvalidInput

MAX_EMAIL = 254
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(email: str) -> str:
    """The canonical (trimmed, lower-case) form of an address; ``bad_email`` otherwise."""
    normal = email.strip().lower()
    if len(normal) > MAX_EMAIL or not _EMAIL.fullmatch(normal):
        raise InvalidInput("that is not an e-mail address", code="bad_email")
    return normal


def check_roles(roles: frozenset[str]) -> None:
    """A user has at least one role, each one of customer, admin, operator."""
    if not roles or not roles <= ROLES:
        raise InvalidInput(f"roles are some of {sorted(ROLES)}", code="bad_roles")


@dataclass(frozen=True)
class UserRegistered:
    """Domain event: the account exists (version 1)."""

    user_id: uuid.UUID
    email: str
    roles: frozenset[str]
    registered_at: datetime


@dataclass(frozen=True)
class PasswordChanged:
    """Domain event: a new password hash replaced the old one."""

    user_id: uuid.UUID
    changed_at: datetime
    version: int


@dataclass(frozen=True)
class UserRolesChanged:
    """Domain event: the user's roles were replaced (their sessions end)."""

    user_id: uuid.UUID
    roles: frozenset[str]
    changed_at: datetime
    version: int


@dataclass(frozen=True)
class UserDeleted:
    """Domain event: the account is gone (their sessions end, their data is erased)."""

    user_id: uuid.UUID
    deleted_at: datetime
    version: int


@dataclass(eq=False)
class User:
    """An account. ``password_hash`` is an argon2id PHC string, never the password."""

    id: uuid.UUID
    email: str
    password_hash: str
    roles: frozenset[str]
    created_at: datetime
    version: int = 1
    events: list[object] = field(default_factory=list)

    @classmethod
    def register(cls, email: str, password_hash: str, roles: frozenset[str]) -> User:
        """A new user; ``email`` must already be normalized."""
        check_roles(roles)
        user = cls(uuid.uuid4(), email, password_hash, roles, datetime.now(UTC))
        user.events.append(UserRegistered(user.id, email, roles, user.created_at))
        return user

    def change_password(self, password_hash: str) -> None:
        """Store a new password hash."""
        self.password_hash = password_hash
        self.version += 1
        self.events.append(PasswordChanged(self.id, datetime.now(UTC), self.version))

    def set_roles(self, roles: frozenset[str]) -> None:
        """Replace the roles (``bad_roles`` unless some of customer, admin, operator)."""
        check_roles(roles)
        if roles == self.roles:
            return
        self.roles = roles
        self.version += 1
        self.events.append(UserRolesChanged(self.id, roles, datetime.now(UTC), self.version))

    def delete(self) -> None:
        """Record that the account is deleted (the repository erases the row)."""
        self.version += 1
        self.events.append(UserDeleted(self.id, datetime.now(UTC), self.version))

    def principal(self) -> Principal:
        """Who this user is when authenticated."""
        return Principal(self.id, self.roles)


@dataclass(frozen=True)
class PasswordResetRequested:
    """Domain event: a reset was issued (carries no token)."""

    reset_id: uuid.UUID
    user_id: uuid.UUID
    requested_at: datetime
    expires_at: datetime


@dataclass(eq=False)
class PasswordReset:
    """A one-use permission to set a new password until ``expires_at``."""

    id: uuid.UUID
    user_id: uuid.UUID
    token_hash: bytes
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    events: list[object] = field(default_factory=list)

    @classmethod
    def issue(
        cls, reset_id: uuid.UUID, user_id: uuid.UUID, token_hash: bytes, ttl: timedelta
    ) -> PasswordReset:
        """A new reset for ``user_id``, valid for ``ttl``."""
        now = datetime.now(UTC)
        reset = cls(reset_id, user_id, token_hash, now, now + ttl)
        reset.events.append(PasswordResetRequested(reset_id, user_id, now, reset.expires_at))
        return reset

    def check_usable(self, now: datetime) -> None:
        """``reset_token_used`` or ``reset_token_expired`` when it can no longer be used."""
        if self.used_at is not None:
            raise InvalidInput(
                "this reset link was used already; request a new one", code="reset_token_used"
            )
        if now >= self.expires_at:
            raise InvalidInput(
                "this reset link has expired; request a new one", code="reset_token_expired"
            )

    def use(self, now: datetime) -> None:
        """Spend the reset (once)."""
        self.check_usable(now)
        self.used_at = now


@dataclass(frozen=True)
class SignUpAttempted:
    """Domain event: someone tried to register the address of ``user_id``'s account."""

    attempt_id: uuid.UUID
    user_id: uuid.UUID
    attempted_at: datetime


@dataclass(eq=False)
class SignUpAttempt:
    """A registration that found the address taken. Nothing about it is stored: the account
    stays as it was, and its owner is told through the event (the answer told nobody)."""

    id: uuid.UUID
    user_id: uuid.UUID
    attempted_at: datetime
    events: list[object] = field(default_factory=list)

    @classmethod
    def on_account_of(cls, user_id: uuid.UUID) -> SignUpAttempt:
        """An attempt on the address of ``user_id``'s account, now."""
        attempt = cls(uuid.uuid4(), user_id, datetime.now(UTC))
        attempt.events.append(SignUpAttempted(attempt.id, user_id, attempt.attempted_at))
        return attempt
