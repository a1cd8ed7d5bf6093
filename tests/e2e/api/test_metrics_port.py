"""``ORDERFLOW_HTTP_METRICS_PORT``: the API serves /metrics there and no longer publicly."""

from __future__ import annotations

import asyncio

import httpx

from orderflow.processes import run_api
from orderflow.settings import Settings
from tests.support.processes import free_port


async def test_metrics_move_to_the_internal_port_when_one_is_set(settings: Settings) -> None:
    base = settings
    public, internal = free_port(), free_port()
    settings = base.updated(http={"port": public, "metrics_port": internal})
    stop = asyncio.Event()
    serving = asyncio.create_task(run_api(settings, stop))
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(200):
                try:
                    on_internal = await client.get(f"http://127.0.0.1:{internal}/metrics")
                    on_public = await client.get(f"http://127.0.0.1:{public}/metrics")
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.05)
    finally:
        stop.set()
        await serving

    assert on_internal.status_code == 200
    assert "orderflow_http_requests_total" in on_internal.text
    assert on_public.status_code == 404
