"""Readiness runs every check at once, each within its deadline, and names what failed."""

from __future__ import annotations

import asyncio
import time

import httpx

from orderflow.health import NotReady, Readiness, operations_app


async def _passes() -> None:
    return None


async def _refuses() -> None:
    raise ConnectionRefusedError(111, "Connection refused")


async def _lags() -> None:
    raise NotReady("the oldest unpublished outbox row is 90 s old")


async def _hangs() -> None:
    await asyncio.sleep(60)


async def test_a_check_that_raises_or_overruns_fails_the_others_still_run() -> None:
    readiness = Readiness(
        {"database": _passes, "kafka": _refuses, "outbox": _lags, "slow": _hangs}, deadline=0.2
    )
    started = time.perf_counter()
    report = await readiness.report()
    assert time.perf_counter() - started < 5  # at once, not one deadline after the other
    assert not report.ready
    assert report.failing == ["kafka", "outbox", "slow"]
    checks = report.checks_json()
    assert checks["database"]["ok"] is True
    assert "error" not in checks["database"]
    assert checks["kafka"]["error"].startswith("ConnectionRefusedError")
    assert checks["outbox"]["error"] == "NotReady: the oldest unpublished outbox row is 90 s old"
    assert checks["slow"]["error"] == "no answer within 0.2 s"


async def _client(readiness: Readiness) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=operations_app(readiness))
    return httpx.AsyncClient(transport=transport, base_url="http://ops")


async def test_readyz_answers_503_naming_the_failing_check_healthz_stays_200() -> None:
    async with await _client(Readiness({"database": _passes, "kafka": _refuses})) as client:
        ready = await client.get("/readyz")
        alive = await client.get("/healthz")
    assert ready.status_code == 503
    assert ready.headers["content-type"].startswith("application/problem+json")
    assert ready.headers["retry-after"] == "5"
    body = ready.json()
    assert (body["code"], body["failing"]) == ("not_ready", ["kafka"])
    assert body["detail"] == "not ready: kafka (see checks)"
    assert body["checks"]["database"]["ok"] is True
    assert (alive.status_code, alive.text) == (200, "ok")


async def test_readyz_answers_200_with_every_check_when_all_pass() -> None:
    async with await _client(Readiness({"database": _passes, "kafka": _passes})) as client:
        answer = await client.get("/readyz")
        metrics = await client.get("/metrics")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ready"
    assert set(answer.json()["checks"]) == {"database", "kafka"}
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
