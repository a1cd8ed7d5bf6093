"""Load and store users and password resets."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domains.identity.model import PasswordReset, User
from domains.identity.tables import password_resets, users
from domains.shared import Aggregate, Conflict, VersionedRows


class UserRepository:
    """Users in PostgreSQL; updates check the version that was read."""

    def __init__(self, session: AsyncSession, track: Callable[[Aggregate], None]) -> None:
        self._session = session
        self._track = track
        self._versions = VersionedRows(session, users, "user")

    async def add(self, user: User) -> None:
        """Insert a new user; ``Conflict`` (email_taken) when the address is registered."""
        row = {
            "id": user.id,
            "email": user.email,
            "password_hash": user.password_hash,
            "roles": sorted(user.roles),
            "version": user.version,
            "created_at": user.created_at,
        }
        try:
            async with self._session.begin_nested():
                await self._session.execute(insert(users).values(row))
        except IntegrityError as exc:
            if "uq_users_email" not in str(exc.orig):
                raise
            raise Conflict(
                "that e-mail address is already registered", code="email_taken"
            ) from None
        self._remember(user)

    async def get(self, user_id: uuid.UUID) -> User | None:
        """The user with ``user_id``, or None."""
        return await self._one(users.c.id == user_id)

    async def by_email(self, email: str) -> User | None:
        """The user with the normalized ``email``, or None."""
        return await self._one(users.c.email == email)

    async def save(self, user: User) -> None:
        """Write a changed user; ``ConcurrentUpdate`` when it changed since it was read."""
        values = {"password_hash": user.password_hash, "roles": sorted(user.roles)}
        await self._versions.save(user.id, user.version, values)

    async def store_rehash(self, user: User, old_hash: str) -> None:
        """Store a stronger hash of the same password: no new version (nothing changed for
        anyone else), and only if the hash is still the one that was verified."""
        await self._session.execute(
            update(users)
            .where(users.c.id == user.id, users.c.password_hash == old_hash)
            .values(password_hash=user.password_hash)
        )

    async def erase(self, user: User) -> None:
        """Delete the user, its resets and (cascading) its sessions, if unchanged since read."""
        await self._versions.save(user.id, user.version, {})
        await self._session.execute(
            delete(password_resets).where(password_resets.c.user_id == user.id)
        )
        await self._session.execute(delete(users).where(users.c.id == user.id))

    async def _one(self, where: Any) -> User | None:
        row = (await self._session.execute(select(users).where(where))).first()
        if row is None:
            return None
        user = User(row.id, row.email, row.password_hash, frozenset(row.roles), row.created_at)
        user.version = row.version
        self._remember(user)
        return user

    def _remember(self, user: User) -> None:
        self._versions.remember(user.id, user.version)
        self._track(user)


class PasswordResetRepository:
    """Password resets; a reset is locked while it is being used, so it works only once."""

    def __init__(self, session: AsyncSession, track: Callable[[Aggregate], None]) -> None:
        self._session = session
        self._track = track

    async def add(self, reset: PasswordReset) -> None:
        """Insert a new reset."""
        await self._session.execute(
            insert(password_resets).values(
                id=reset.id,
                user_id=reset.user_id,
                token_hash=reset.token_hash,
                created_at=reset.created_at,
                expires_at=reset.expires_at,
            )
        )
        self._track(reset)

    async def get(self, reset_id: uuid.UUID) -> PasswordReset | None:
        """The reset with ``reset_id``, or None."""
        query = select(password_resets).where(password_resets.c.id == reset_id)
        row = (await self._session.execute(query)).first()
        return None if row is None else _reset(row)

    async def by_token_hash(self, token_hash: bytes, *, lock: bool) -> PasswordReset | None:
        """The reset with ``token_hash`` (``lock``: until the transaction ends); None if unknown."""
        query = select(password_resets).where(password_resets.c.token_hash == token_hash)
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return None if row is None else _reset(row)

    async def mark_used(self, reset: PasswordReset) -> None:
        """Store that ``reset`` was spent."""
        await self._session.execute(
            update(password_resets)
            .where(password_resets.c.id == reset.id)
            .values(used_at=reset.used_at)
        )

    async def retire_open(self, user_id: uuid.UUID, now: datetime) -> None:
        """Spend every other open reset of ``user_id`` (a new password voids old links)."""
        await self._session.execute(
            update(password_resets)
            .where(password_resets.c.user_id == user_id, password_resets.c.used_at.is_(None))
            .values(used_at=now)
        )


def _reset(row: Row[Any]) -> PasswordReset:
    return PasswordReset(
        id=row.id,
        user_id=row.user_id,
        token_hash=row.token_hash,
        created_at=row.created_at,
        expires_at=row.expires_at,
        used_at=row.used_at,
    )
