"""Service clients in PostgreSQL: register, find, list, rotate a secret, revoke.

A secret is shown once, when it is made, and stored only as an argon2id hash (as passwords
are). A revoked client is never found again: its tokens and its Kafka records are refused.
"""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domains.identity.passwords import hash_password, verify_password
from domains.identity.service_clients import SCOPES, ServiceClient
from domains.identity.tables import service_clients
from domains.shared import Conflict, InvalidInput, NotFound

SECRET_BYTES = 32
NAME_PATTERN = "letters, digits, '.', '_' or '-', 1 to 64 characters"


@dataclass(frozen=True)
class ClientRecord:
    """A client as operators see it (never its secret)."""

    client: ServiceClient
    created_at: datetime
    rotated_at: datetime | None
    revoked_at: datetime | None


def _check(name: str, scopes: frozenset[str]) -> None:
    if not name or len(name) > 64 or not all(c.isalnum() or c in "._-" for c in name):
        raise InvalidInput(f"a client name has {NAME_PATTERN}", code="bad_client_name")
    unknown = sorted(scopes - SCOPES)
    if unknown or not scopes:
        raise InvalidInput(
            f"unknown or no scopes {unknown}; choose from {sorted(SCOPES)}", code="bad_scopes"
        )


async def register_client(
    session: AsyncSession, name: str, scopes: frozenset[str]
) -> tuple[ServiceClient, str]:
    """A new client and its secret (the only time the secret is seen)."""
    _check(name, scopes)
    taken = await session.scalar(select(service_clients.c.id).where(service_clients.c.name == name))
    if taken is not None:
        raise Conflict(f"a client named {name!r} exists", code="client_exists")
    client = ServiceClient(uuid.uuid4(), name, scopes)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    await session.execute(
        insert(service_clients).values(
            id=client.client_id,
            name=name,
            scopes=sorted(scopes),
            secret_hash=await asyncio.to_thread(hash_password, secret),
        )
    )
    return client, secret


async def find_client(session: AsyncSession, client_id: uuid.UUID) -> ServiceClient | None:
    """The client while it is not revoked; None otherwise."""
    row = (
        await session.execute(
            select(service_clients).where(
                service_clients.c.id == client_id, service_clients.c.revoked_at.is_(None)
            )
        )
    ).first()
    return None if row is None else ServiceClient(row.id, row.name, frozenset(row.scopes))


async def find_clients(
    session: AsyncSession, client_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, ServiceClient]:
    """Every client among ``client_ids`` that is not revoked, by id (one statement)."""
    query = select(service_clients).where(
        service_clients.c.id.in_(set(client_ids)), service_clients.c.revoked_at.is_(None)
    )
    return {
        row.id: ServiceClient(row.id, row.name, frozenset(row.scopes))
        for row in await session.execute(query)
    }


async def authenticate_client(
    session: AsyncSession, client_id: uuid.UUID, secret: str
) -> ServiceClient | None:
    """The client when ``secret`` is its current one (and it is not revoked); else None."""
    row = (
        await session.execute(
            select(service_clients).where(
                service_clients.c.id == client_id, service_clients.c.revoked_at.is_(None)
            )
        )
    ).first()
    if row is None or not await asyncio.to_thread(verify_password, row.secret_hash, secret):
        return None
    return ServiceClient(row.id, row.name, frozenset(row.scopes))


async def list_clients(session: AsyncSession) -> list[ClientRecord]:
    """Every client, revoked ones too, by name."""
    rows = await session.execute(select(service_clients).order_by(service_clients.c.name))
    return [
        ClientRecord(
            ServiceClient(r.id, r.name, frozenset(r.scopes)),
            r.created_at,
            r.rotated_at,
            r.revoked_at,
        )
        for r in rows
    ]


async def rotate_secret(session: AsyncSession, name: str) -> tuple[ServiceClient, str]:
    """A new secret for the client named ``name``; the old one stops working at once."""
    secret = secrets.token_urlsafe(SECRET_BYTES)
    hashed = await asyncio.to_thread(hash_password, secret)
    row = (
        await session.execute(
            update(service_clients)
            .where(service_clients.c.name == name, service_clients.c.revoked_at.is_(None))
            .values(secret_hash=hashed, rotated_at=func.now())
            .returning(service_clients.c.id, service_clients.c.scopes)
        )
    ).first()
    if row is None:
        raise NotFound(f"no active client named {name!r}", code="client_not_found")
    return ServiceClient(row.id, name, frozenset(row.scopes)), secret


async def revoke_client(session: AsyncSession, name: str) -> ServiceClient:
    """Revoke the client named ``name``: its tokens and records are refused from now on."""
    row = (
        await session.execute(
            update(service_clients)
            .where(service_clients.c.name == name, service_clients.c.revoked_at.is_(None))
            .values(revoked_at=func.now())
            .returning(service_clients.c.id, service_clients.c.scopes)
        )
    ).first()
    if row is None:
        raise NotFound(f"no active client named {name!r}", code="client_not_found")
    return ServiceClient(row.id, name, frozenset(row.scopes))
