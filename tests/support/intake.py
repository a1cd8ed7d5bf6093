"""Upstream services to test the intake with: clients, submissions, and what they left behind."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.identity.api import ORDERS_READ, ORDERS_WRITE, ServiceClient, Unauthenticated

Sessions = async_sessionmaker[AsyncSession]


def service_client(*scopes: str, name: str | None = None) -> ServiceClient:
    """A client with ``scopes`` (default: write and read)."""
    return ServiceClient(
        uuid.uuid4(),
        name or f"svc-{uuid.uuid4().hex[:8]}",
        frozenset(scopes or (ORDERS_WRITE, ORDERS_READ)),
    )


class KnownClients:
    """Client authentication for tests: the bearer token is the client id of a known client."""

    def __init__(self) -> None:
        self._clients: dict[str, ServiceClient] = {}

    def add(self, client: ServiceClient) -> dict[str, str]:
        """Know ``client``; returns its Authorization header."""
        self._clients[str(client.client_id)] = client
        return {"Authorization": f"Bearer {client.client_id}"}

    async def authenticate(self, token: str) -> ServiceClient:
        """The client named by ``token``."""
        client = self._clients.get(token)
        if client is None:
            raise Unauthenticated("unknown test client", code="invalid_token")
        return client


def submission(
    sku: str, *, reference: str | None = None, quantity: int = 1, **extra: Any
) -> dict[str, Any]:
    """A ``POST /v1/orders`` body for one line of ``sku``."""
    return {
        "external_reference": reference or f"ext-{uuid.uuid4().hex[:12]}",
        "customer_id": str(uuid.uuid4()),
        "currency": "EUR",
        "lines": [{"sku": sku, "quantity": quantity}],
        **extra,
    }


async def orders_of(sessions: Sessions, client_id: uuid.UUID, reference: str) -> int:
    """How many orders exist for that submission (through the submission row and its SKU)."""
    sql = (
        "SELECT count(*) FROM orders.orders o JOIN orders.submissions s ON s.order_id = o.id "
        "WHERE s.client_id = :client AND s.external_reference = :ref"
    )
    async with sessions() as session:
        return int(await session.scalar(text(sql), {"client": client_id, "ref": reference}))


async def orders_with_sku(sessions: Sessions, sku: str) -> int:
    """Orders with a line of ``sku``, however they were made."""
    sql = "SELECT count(DISTINCT order_id) FROM orders.order_lines WHERE sku = :sku"
    async with sessions() as session:
        return int(await session.scalar(text(sql), {"sku": sku}))


async def reservations_with_sku(sessions: Sessions, sku: str) -> int:
    """Stock reservations holding ``sku``."""
    sql = "SELECT count(DISTINCT reservation_id) FROM catalog.reservation_items WHERE sku = :sku"
    async with sessions() as session:
        return int(await session.scalar(text(sql), {"sku": sku}))


async def replies_for(sessions: Sessions, client_id: uuid.UUID) -> list[dict[str, Any]]:
    """The reply events in the outbox for ``client_id``, oldest first (type and payload)."""
    sql = (
        "SELECT event_type, payload FROM outbox.events WHERE key = :key "
        "AND event_type IN ('orders.OrderAccepted', 'orders.OrderRejected') ORDER BY id"
    )
    async with sessions() as session:
        rows = await session.execute(text(sql), {"key": str(client_id)})
    return [{"type": row.event_type, **json.loads(row.payload)} for row in rows]
