"""Accounts, log-in and password reset on the real database, with their outbox rows."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.identity.api import (
    IdentitySettings,
    IdentityUnitOfWork,
    KeyRing,
    Passwords,
    RegisterUser,
    ResetPassword,
    SigningKey,
    Unauthenticated,
    User,
    decode_access_token,
    get_reset_link,
    login,
    register_user,
    request_password_reset,
    reset_password,
    user_token_rules,
)
from domains.shared import Conflict, InvalidInput
from tests.support.outbox import outbox_rows

SECRET = "integration-secret-integration-secret-0123456789"
SETTINGS = IdentitySettings(
    keys=KeyRing(SigningKey("k1", SECRET)),
    access_rules=user_token_rules("orderflow", "orderflow-api", 900),
    reset_secret=SECRET,
    passwords=Passwords(time_cost=1, memory_kib=1024, parallelism=1),
)
PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new passphrase"


def _email() -> str:
    return f"user-{uuid.uuid4().hex[:10]}@Example.com"


async def _register(sessions: async_sessionmaker[AsyncSession], email: str) -> User:
    return await register_user(
        RegisterUser(email, PASSWORD), IdentityUnitOfWork(sessions), SETTINGS.passwords
    )


async def test_registering_stores_an_argon2_hash_and_an_event_without_secrets(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    email = _email()
    user = await _register(sessions, email)

    async with sessions() as session:
        stored = await session.scalar(
            text("SELECT password_hash FROM identity.users WHERE id = :id"), {"id": user.id}
        )
    (row,) = await outbox_rows(sessions, user.id)
    everything = row.payload.decode() + json.dumps(row.headers)
    assert user.email == email.lower()
    assert stored.startswith("$argon2id$")
    assert (row.event_type, row.aggregate_version) == ("identity.UserRegistered", 1)
    assert json.loads(row.payload)["roles"] == ["customer"]
    for secret in (PASSWORD, stored, email.lower()):
        assert secret not in everything


async def test_an_address_registers_once_in_any_letter_case(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    email = _email()
    await _register(sessions, email)

    with pytest.raises(Conflict) as refused:
        await _register(sessions, email.upper())

    assert refused.value.code == "email_taken"


async def test_login_gives_a_token_and_wrong_password_or_unknown_email_look_the_same(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    email = _email()
    user = await _register(sessions, email)
    uow = IdentityUnitOfWork(sessions)

    token = await login(email.upper(), PASSWORD, uow, SETTINGS)
    with pytest.raises(Unauthenticated) as wrong_password:
        await login(email, PASSWORD + "x", uow, SETTINGS)
    with pytest.raises(Unauthenticated) as unknown_email:
        await login(_email(), PASSWORD, uow, SETTINGS)

    claims = decode_access_token(
        token.access.token, keys=SETTINGS.keys, rules=SETTINGS.access_rules
    )
    assert claims.user_id == user.id
    assert wrong_password.value.code == unknown_email.value.code == "invalid_credentials"
    assert wrong_password.value.message == unknown_email.value.message


async def test_a_reset_works_once_and_changes_the_password(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    email = _email()
    user = await _register(sessions, email)
    uow = IdentityUnitOfWork(sessions)
    issued = await request_password_reset(email, uow, SETTINGS)
    assert issued is not None

    await reset_password(ResetPassword(issued.token, NEW_PASSWORD), uow, SETTINGS)
    with pytest.raises(InvalidInput) as second_use:
        await reset_password(ResetPassword(issued.token, "yet another passphrase"), uow, SETTINGS)

    assert second_use.value.code == "reset_token_used"
    await login(email, NEW_PASSWORD, uow, SETTINGS)
    with pytest.raises(Unauthenticated):
        await login(email, PASSWORD, uow, SETTINGS)
    assert [(r.event_type, r.aggregate_version) for r in await outbox_rows(sessions, user.id)] == [
        ("identity.UserRegistered", 1),
        ("identity.PasswordChanged", 2),
    ]


async def test_the_reset_event_and_row_never_hold_the_raw_token(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    email = _email()
    user = await _register(sessions, email)
    issued = await request_password_reset(email, IdentityUnitOfWork(sessions), SETTINGS)
    assert issued is not None

    (row,) = await outbox_rows(sessions, issued.reset_id)
    async with sessions() as session:
        stored = (
            await session.execute(
                text("SELECT * FROM identity.password_resets WHERE id = :id"),
                {"id": issued.reset_id},
            )
        ).one()
    payload = json.loads(row.payload)
    assert row.event_type == "identity.PasswordResetRequested"
    assert payload["user_id"] == str(user.id)
    assert payload["reset_id"] == str(issued.reset_id)
    assert issued.token not in row.payload.decode() + json.dumps(row.headers)
    assert issued.token.encode() not in bytes(stored.token_hash)
    assert issued.token not in str(stored._mapping.values())


async def test_the_consumer_recomputes_the_link_at_send_time_until_it_is_used(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    email = _email()
    await _register(sessions, email)
    uow = IdentityUnitOfWork(sessions)
    issued = await request_password_reset(email, uow, SETTINGS)
    assert issued is not None

    link = await get_reset_link(issued.reset_id, uow, SETTINGS)
    await reset_password(ResetPassword(link.token, NEW_PASSWORD), uow, SETTINGS)

    assert (link.token, link.email) == (issued.token, email.lower())
    with pytest.raises(InvalidInput) as used:
        await get_reset_link(issued.reset_id, uow, SETTINGS)
    assert used.value.code == "reset_token_used"


async def test_an_expired_reset_is_refused_and_changes_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    email = _email()
    user = await _register(sessions, email)
    uow = IdentityUnitOfWork(sessions)
    issued = await request_password_reset(email, uow, SETTINGS)
    assert issued is not None
    async with sessions() as session, session.begin():
        await session.execute(
            text(
                "UPDATE identity.password_resets SET expires_at = now() - interval '1 second' "
                "WHERE id = :id"
            ),
            {"id": issued.reset_id},
        )

    with pytest.raises(InvalidInput) as expired:
        await reset_password(ResetPassword(issued.token, NEW_PASSWORD), uow, SETTINGS)

    assert expired.value.code == "reset_token_expired"
    await login(email, PASSWORD, uow, SETTINGS)
    assert len(await outbox_rows(sessions, user.id)) == 1


async def test_a_new_password_voids_older_reset_links(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    email = _email()
    await _register(sessions, email)
    uow = IdentityUnitOfWork(sessions)
    older = await request_password_reset(email, uow, SETTINGS)
    newer = await request_password_reset(email, uow, SETTINGS)
    assert older is not None
    assert newer is not None

    await reset_password(ResetPassword(newer.token, NEW_PASSWORD), uow, SETTINGS)

    with pytest.raises(InvalidInput) as voided:
        await reset_password(ResetPassword(older.token, "an attacker's password"), uow, SETTINGS)
    assert voided.value.code == "reset_token_used"


async def test_unknown_addresses_and_tokens_reveal_nothing_and_write_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    uow = IdentityUnitOfWork(sessions)

    assert await request_password_reset(_email(), uow, SETTINGS) is None
    with pytest.raises(InvalidInput) as refused:
        await reset_password(ResetPassword("made-up-token", NEW_PASSWORD), uow, SETTINGS)

    assert refused.value.code == "reset_token_invalid"


async def test_a_login_upgrades_a_hash_made_with_older_parameters(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    email = _email()
    user = await _register(sessions, email)  # hashed with SETTINGS.passwords (t=1, 1 MiB)
    stronger = replace(SETTINGS, passwords=Passwords(time_cost=2, memory_kib=2048, parallelism=1))

    await login(email, PASSWORD, IdentityUnitOfWork(sessions), stronger)

    async with sessions() as session:
        stored, version = (
            await session.execute(
                text("SELECT password_hash, version FROM identity.users WHERE id = :id"),
                {"id": user.id},
            )
        ).one()
    assert "$m=2048,t=2,p=1$" in stored
    assert version == 1  # the same password: no new version, no event, sessions untouched
    assert len(await outbox_rows(sessions, user.id)) == 1
    await login(email, PASSWORD, IdentityUnitOfWork(sessions), stronger)
