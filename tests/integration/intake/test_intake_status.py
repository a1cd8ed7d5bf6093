"""``orderflow intake status``: per client, accepted and rejected by reason, last seen."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest
from typer.testing import CliRunner

from domains.identity import api as identity
from orderflow.cli import intake
from orderflow.settings import Settings
from tests.support.intake import KnownClients, Sessions, submission
from tests.support.shop import new_product


async def test_status_counts_each_clients_outcomes(
    api: httpx.AsyncClient,
    clients: KnownClients,
    sessions: Sessions,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with sessions() as session, session.begin():
        scopes = frozenset({identity.ORDERS_WRITE})
        client, _ = await identity.register_client(session, f"pos-{uuid.uuid4().hex[:6]}", scopes)
    auth = clients.add(client)
    sku = await new_product(sessions, stock=1)
    for body in (submission(sku), submission(sku), submission("NO-SUCH-SKU")):
        await api.post(
            "/v1/orders", json=body, headers={**auth, "Idempotency-Key": uuid.uuid4().hex}
        )
    prefixed = settings.updated(consumers={"group_prefix": "status-"})
    monkeypatch.setattr("orderflow.settings.get_settings", lambda: prefixed)

    # The command runs its own event loop: give it a thread of its own.
    result = await asyncio.to_thread(CliRunner().invoke, intake.app, ["status", "--json"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    (mine,) = [c for c in report["clients"] if c["client_id"] == str(client.client_id)]
    assert mine["name"] == client.name
    assert mine["accepted"] == 1
    assert mine["rejected"] == {"out_of_stock": 1, "unknown_sku": 1}
    # The group id: the session namespace's prefix, then the group prefix.
    assert report["group"]["name"] == f"{settings.deployment.topic_prefix}status-intake"
