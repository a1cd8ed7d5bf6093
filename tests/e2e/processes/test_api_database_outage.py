"""While its database is away, ``orderflow api`` answers every request that needs it with a 503
problem document (``database_unavailable``) and ``Retry-After`` — never a bare 500, never a dead
process, while its liveness stays 200 and its readiness names the database — and serves again by
itself once the database is back: started while it is down, through an outage, and from the very
first request after a restart (the pooled connections the server closed are replaced at
checkout)."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx

from tests.private_pair import PrivatePostgres
from tests.support.processes import free_port, orderflow_process

PROBLEM = "application/problem+json"


def _env(database_url: str, port: int) -> dict[str, str]:
    return {
        "ORDERFLOW_DATABASE_URL": database_url,
        "ORDERFLOW_HTTP_PORT": str(port),
        "ORDERFLOW_JWT_SECRET": "outage-test-secret-outage-test-secret-0123",
        "ORDERFLOW_LOG_FORMAT": "json",
    }


async def _assert_alive_not_ready(client: httpx.AsyncClient) -> None:
    """Liveness stays 200 (restarting would not bring the database back); readiness says why."""
    alive, ready = await client.get("/healthz"), await client.get("/readyz")
    assert (alive.status_code, alive.text) == (200, "ok")
    assert ready.status_code == 503, ready.text
    assert ready.headers["content-type"].startswith(PROBLEM)
    assert (ready.json()["code"], ready.json()["failing"]) == ("not_ready", ["database"])


def _assert_unavailable(answer: httpx.Response) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    assert int(answer.headers["retry-after"]) >= 1
    assert answer.json()["code"] == "database_unavailable"


async def test_the_api_answers_503_while_its_database_is_down_and_recovers_by_itself(
    private_database: PrivatePostgres, tmp_path: Path
) -> None:
    account = {"email": f"outage-{uuid.uuid4().hex[:8]}@example.com", "password": "pw-12345678"}
    await private_database.stop("immediate")
    port = free_port()
    env = _env(private_database.url(), port)
    with orderflow_process(["api"], env, tmp_path / "api.log", port, health=None) as api:
        async with httpx.AsyncClient(base_url=api.base_url, timeout=10) as client:
            # Started while the database is down: it serves, and says so.
            await _assert_alive_not_ready(client)
            _assert_unavailable(await client.get("/v1/products"))
            await private_database.start()
            # Sign-up answers 202 whoever the address belongs to.
            assert (await client.post("/v1/auth/register", json=account)).status_code == 202

            # Through an outage.
            await private_database.stop("fast")
            for _ in range(3):
                _assert_unavailable(await client.post("/v1/auth/login", json=account))
                await _assert_alive_not_ready(client)
            assert api.process.poll() is None
            await private_database.start()
            assert (await client.post("/v1/auth/login", json=account)).status_code == 200

            # A restart nobody saw: the pool still holds connections the server closed.
            await private_database.stop("fast")
            await private_database.start()
            assert (await client.post("/v1/auth/login", json=account)).status_code == 200
            assert (await client.get("/readyz")).status_code == 200
        assert "Traceback" not in api.output()
