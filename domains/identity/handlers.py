"""Command and query handlers of identity's accounts: register, log in, change password or
roles, delete. Every change that must end a user's sessions ends them in its own transaction."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog

from domains.identity.model import SignUpAttempt, User, check_roles, normalize_email
from domains.identity.passwords import Passwords, check_password_policy
from domains.identity.principal import CUSTOMER, Principal
from domains.identity.session_handlers import TokenPair, invalid_credentials, start_session
from domains.identity.settings import IdentitySettings
from domains.identity.unit_of_work import IdentityUnitOfWork
from domains.shared import Conflict, InvalidInput, NotFound

log = structlog.get_logger("orderflow.identity")


@dataclass(frozen=True)
class RegisterUser:
    """Command: create an account (self-registration makes customers)."""

    email: str
    password: str = field(repr=False)
    roles: frozenset[str] = frozenset({CUSTOMER})

    def checked(self) -> RegisterUser:
        """The command with its address normalized; ``bad_email``, ``weak_password``,
        ``bad_roles`` before anything costly happens."""
        check_password_policy(self.password)
        check_roles(self.roles)
        return RegisterUser(normalize_email(self.email), self.password, self.roles)


async def register_user(
    command: RegisterUser, uow: IdentityUnitOfWork, passwords: Passwords
) -> User:
    """Create the user and its ``UserRegistered`` event; ``email_taken`` when registered."""
    checked = command.checked()
    password_hash = await asyncio.to_thread(passwords.hash, checked.password)
    user = User.register(checked.email, password_hash, checked.roles)
    async with uow:
        await uow.users.add(user)
        await uow.commit()
    log.info("user_registered", user_id=str(user.id), roles=sorted(user.roles))
    return user


async def register_customer(
    command: RegisterUser, uow: IdentityUnitOfWork, passwords: Passwords
) -> User | None:
    """Self-registration: the new user, or None when the address is taken (its account stays as
    it was, and its owner is told: ``SignUpAttempted``). Both outcomes pay for the password hash
    first and then write one transaction, so they take the same time."""
    try:
        return await register_user(command, uow, passwords)
    except Conflict as taken:
        if taken.code != "email_taken":
            raise
    async with uow:
        owner = await uow.users.by_email(command.checked().email)
        if owner is not None:  # None: deleted since; nobody to tell
            uow.track(SignUpAttempt.on_account_of(owner.id))
            await uow.commit()
    # The address itself stays out of the logs.
    log.info("registration_for_a_taken_address", user_id=str(owner.id) if owner else None)
    return None


async def login(
    email: str, password: str, uow: IdentityUnitOfWork, settings: IdentitySettings
) -> TokenPair:
    """A new session for valid credentials; one error (invalid_credentials) for all others.

    A hash made with older parameters is upgraded on the way (argon2 ``check_needs_rehash``).
    """
    passwords = settings.passwords
    async with uow:
        user = await uow.users.by_email(email.strip().lower())
    if user is None:
        await asyncio.to_thread(passwords.burn_verification_time, password)
        raise invalid_credentials()
    if not await asyncio.to_thread(passwords.verify, user.password_hash, password):
        raise invalid_credentials()
    verified_hash = user.password_hash
    if passwords.needs_rehash(verified_hash):
        user.password_hash = await asyncio.to_thread(passwords.hash, password)
    async with uow:
        if user.password_hash != verified_hash:
            await uow.users.store_rehash(user, verified_hash)
            log.info("password_rehashed", user_id=str(user.id))
        pair = await start_session(user, uow, settings)
        await uow.commit()
    log.info("login_succeeded", user_id=str(user.id), session_id=str(pair.session_id))
    return pair


async def change_password(
    caller: Principal,
    current_password: str,
    new_password: str,
    uow: IdentityUnitOfWork,
    passwords: Passwords,
) -> None:
    """Replace the caller's password (the current one must match); every session ends."""
    check_password_policy(new_password)
    user = await get_user(caller.user_id, uow)
    if not await asyncio.to_thread(passwords.verify, user.password_hash, current_password):
        raise InvalidInput("the current password is wrong", code="wrong_password")
    new_hash = await asyncio.to_thread(passwords.hash, new_password)
    async with uow:
        fresh = await uow.users.get(caller.user_id)
        if fresh is None or fresh.password_hash != user.password_hash:
            raise InvalidInput(
                "the password changed meanwhile; log in again", code="wrong_password"
            )
        fresh.change_password(new_hash)
        await uow.users.save(fresh)
        await uow.sessions.end_all(fresh.id, datetime.now(UTC), "password_changed")
        await uow.resets.retire_open(fresh.id, datetime.now(UTC))
        await uow.commit()
    log.info("password_changed", user_id=str(caller.user_id))


async def set_roles(user_id: uuid.UUID, roles: frozenset[str], uow: IdentityUnitOfWork) -> User:
    """Replace the roles of ``user_id`` (an admin's command); its sessions end if they changed."""
    async with uow:
        user = await uow.users.get(user_id)
        if user is None:
            raise _no_user(user_id)
        before = user.version
        user.set_roles(roles)
        if user.version != before:
            await uow.users.save(user)
            await uow.sessions.end_all(user.id, datetime.now(UTC), "roles_changed")
            await uow.commit()
    log.info("user_roles_set", user_id=str(user_id), roles=sorted(roles))
    return user


async def delete_user(user_id: uuid.UUID, uow: IdentityUnitOfWork) -> None:
    """Delete the account (an admin's command): sessions, resets and the row go; ``UserDeleted``."""
    async with uow:
        user = await uow.users.get(user_id)
        if user is None:
            raise _no_user(user_id)
        user.delete()
        await uow.sessions.end_all(user.id, datetime.now(UTC), "user_deleted")
        await uow.users.erase(user)
        await uow.commit()
    log.info("user_deleted", user_id=str(user_id))


async def get_user(user_id: uuid.UUID, uow: IdentityUnitOfWork) -> User:
    """The user, or ``NotFound``."""
    async with uow:
        user = await uow.users.get(user_id)
    if user is None:
        raise _no_user(user_id)
    return user


def _no_user(user_id: uuid.UUID) -> NotFound:
    return NotFound(f"user {user_id} does not exist", code="user_not_found")
