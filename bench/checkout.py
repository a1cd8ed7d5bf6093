"""Checkout throughput and latency next to the floor: a bare FastAPI endpoint doing one INSERT.

Both servers run as single uvicorn processes on the same PostgreSQL with the same pool size;
one load-generator process (this one) drives each in turn with the same concurrency, and the
fake payment provider (``orderflow dev fake-provider``) runs in its own process with no
added latency. Prints JSON.

    .venv/bin/python -m bench.checkout --concurrency 32 --seconds 10
    .venv/bin/python -m bench.checkout --smoke      # tiny load, a quick check that it runs
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from alembic import command
from pydantic import BaseModel
from sqlalchemy.engine import make_url

from orderflow.settings import (
    DatabaseSettings,
    IdentitySettings,
    LoggingSettings,
    PaymentSettings,
    Settings,
)

SECRET = "bench-secret-bench-secret-bench-secret-0123456789"  # noqa: S105  (a throwaway DB)
SKUS = 200
# The installed command line, next to this interpreter: the fakes run only through it.
ORDERFLOW = Path(sys.executable).with_name("orderflow")


def _free_port() -> int:
    import socket  # noqa: PLC0415

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class FloorItem(BaseModel):
    """The floor endpoint's body."""

    sku: str
    quantity: int


# --- the servers (run in subprocesses) -------------------------------------------------------


def serve_checkout(database_url: str, provider_url: str, port: int) -> None:
    """The orderflow API, as in production but logging warnings only."""
    import uvicorn  # noqa: PLC0415

    from orderflow.http import create_app  # noqa: PLC0415
    from orderflow.logging import configure_logging  # noqa: PLC0415
    from orderflow.wiring.pools import DatabasePools  # noqa: PLC0415

    settings = Settings(
        database=DatabaseSettings(url=database_url),
        identity=IdentitySettings(jwt_secret=SECRET),
        payments=PaymentSettings(provider_url=provider_url),
        logging=LoggingSettings(level="WARNING"),
    )
    configure_logging("WARNING", "json")
    pools = DatabasePools(settings)  # as orderflow api/run wire it: the critical pool serves
    app = create_app(pools.critical, background=pools.background, settings=settings)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def serve_floor(database_url: str, port: int) -> None:
    """A bare FastAPI endpoint that does one INSERT per request (the floor)."""
    import uvicorn  # noqa: PLC0415
    from fastapi import FastAPI  # noqa: PLC0415
    from sqlalchemy import text  # noqa: PLC0415

    from foundation.database import create_engine  # noqa: PLC0415

    engine = create_engine(database_url)
    app = FastAPI()

    @app.post("/floor", status_code=201)
    async def floor(item: FloorItem) -> dict[str, str]:
        row_id = uuid.uuid4()
        async with engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO bench_floor (id, sku, quantity) VALUES (:id, :sku, :q)"),
                {"id": row_id, "sku": item.sku, "q": item.quantity},
            )
        return {"id": str(row_id)}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# --- set-up ------------------------------------------------------------------------------------


async def _create_database(server_url: str) -> tuple[str, str]:
    url = make_url(server_url)
    name = f"orderflow_bench_{uuid.uuid4().hex[:8]}"
    admin_dsn = url.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    return url.set(database=name).render_as_string(hide_password=False), admin_dsn


async def _drop_database(admin_dsn: str, database_url: str) -> None:
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'DROP DATABASE "{make_url(database_url).database}" WITH (FORCE)')
    await admin.close()


async def _seed(database_url: str, count: int) -> tuple[list[str], str]:
    from domains.catalog.api import (  # noqa: PLC0415
        CatalogUnitOfWork,
        CreateProduct,
        create_product,
    )
    from foundation.database import create_engine, create_sessions  # noqa: PLC0415
    from foundation.namespace import DEFAULT_NAMESPACE  # noqa: PLC0415

    engine = create_engine(database_url)
    sessions = create_sessions(engine, DEFAULT_NAMESPACE)
    skus = [f"BENCH-{i:04d}" for i in range(count)]
    for sku in skus:
        command_ = CreateProduct(sku, "Bench item", "", 999, "EUR", initial_stock=1_000_000)
        await create_product(command_, CatalogUnitOfWork(sessions))
    async with engine.begin() as conn:
        await conn.exec_driver_sql(
            "CREATE TABLE bench_floor (id uuid PRIMARY KEY, sku text NOT NULL, "
            "quantity int NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
        )
    token = await _shopper_token(database_url, sessions)
    await engine.dispose()
    return skus, token


async def _shopper_token(database_url: str, sessions: Any) -> str:
    """The access token of a real customer with a real session (as the API checks them)."""
    from domains.identity import api as identity  # noqa: PLC0415
    from orderflow.wiring.identity import identity_settings  # noqa: PLC0415

    settings = Settings(
        database=DatabaseSettings(url=database_url), identity=IdentitySettings(jwt_secret=SECRET)
    )
    config = identity_settings(settings)
    email, password = f"bench-{uuid.uuid4().hex[:8]}@example.com", "bench password 123"
    uow = identity.IdentityUnitOfWork(sessions)
    await identity.register_user(identity.RegisterUser(email, password), uow, config.passwords)
    pair = await identity.login(email, password, uow, config)
    return pair.access.token


@contextmanager
def _process(argv: list[str], ready_url: str) -> Iterator[None]:
    process = subprocess.Popen(argv, env=os.environ.copy())
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(ready_url, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"{argv} did not start")
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


# --- load --------------------------------------------------------------------------------------


Request = Callable[[httpx.AsyncClient, int], Any]


async def _load(
    base_url: str, make: Request, *, concurrency: int, seconds: float, warmup: float
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
        start = time.perf_counter()
        measure_from, stop_at = start + warmup, start + warmup + seconds
        counter = iter(range(10**9))

        async def worker() -> None:
            nonlocal errors
            while (now := time.perf_counter()) < stop_at:
                response = await make(client, next(counter))
                done = time.perf_counter()
                if now >= measure_from:
                    latencies.append(done - now)
                    errors += response.status_code >= 300

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "requests_per_second": round(len(ordered) / seconds, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
        "non_2xx": errors,
    }


def _checkout_request(skus: list[str], token: str) -> Request:
    run = uuid.uuid4().hex[:8]

    def make(client: httpx.AsyncClient, n: int) -> Any:
        body = {
            "currency": "EUR",
            "items": [{"sku": skus[n % len(skus)], "quantity": 1}],
            "payment": {"card_token": "tok_visa"},
        }
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"{run}-{n}"}
        return client.post("/v1/checkout", json=body, headers=headers)

    return make


def _floor_request(client: httpx.AsyncClient, n: int) -> Any:
    return client.post("/floor", json={"sku": f"BENCH-{n % SKUS:04d}", "quantity": 1})


async def bench(
    concurrency: int, seconds: float, warmup: float, skus_count: int = SKUS
) -> dict[str, Any]:
    """Run both servers in turn under the same load; return the figures."""
    database_url, admin_dsn = await _create_database(Settings().database.url)
    try:
        from orderflow.cli.db import alembic_config  # noqa: PLC0415

        await asyncio.to_thread(command.upgrade, alembic_config(database_url), "head")
        skus, token = await _seed(database_url, skus_count)
        ports = {name: _free_port() for name in ("provider", "checkout", "floor")}
        provider_url = f"http://127.0.0.1:{ports['provider']}"
        me = [sys.executable, "-m", "bench.checkout"]
        provider = [str(ORDERFLOW), "dev", "fake-provider", "--port", str(ports["provider"])]
        with _process(provider, f"{provider_url}/_control"):
            floor_url = f"http://127.0.0.1:{ports['floor']}"
            floor_args = [
                *me,
                "--serve",
                "floor",
                "--port",
                str(ports["floor"]),
                "--db",
                database_url,
            ]
            with _process(floor_args, f"{floor_url}/docs"):
                floor = await _load(
                    floor_url,
                    _floor_request,
                    concurrency=concurrency,
                    seconds=seconds,
                    warmup=warmup,
                )
            checkout_url = f"http://127.0.0.1:{ports['checkout']}"
            checkout_args = [*me, "--serve", "checkout", "--port", str(ports["checkout"]),
                             "--db", database_url, "--provider", provider_url]  # fmt: skip
            with _process(checkout_args, f"{checkout_url}/healthz"):
                checkout = await _load(
                    checkout_url,
                    _checkout_request(skus, token),
                    concurrency=concurrency,
                    seconds=seconds,
                    warmup=warmup,
                )
    finally:
        await _drop_database(admin_dsn, database_url)
    ratio = checkout["requests_per_second"] / floor["requests_per_second"]
    return {
        "concurrency": concurrency,
        "seconds": seconds,
        "cpus": os.cpu_count(),
        "checkout": checkout,
        "floor_one_insert": floor,
        "throughput_ratio": round(ratio, 3),
        "aim": ">= 0.5",
    }


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--smoke", action="store_true", help="tiny load: a quick check")
    parser.add_argument("--serve", choices=["checkout", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--provider", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve == "checkout":
        serve_checkout(args.db, args.provider, args.port)
        return
    if args.serve == "floor":
        serve_floor(args.db, args.port)
        return
    from orderflow.logging import configure_logging  # noqa: PLC0415

    configure_logging("WARNING")  # on stderr: stdout carries the JSON document only
    if args.smoke:
        figures = asyncio.run(bench(4, 1, 0.5, skus_count=5))
    else:
        figures = asyncio.run(bench(args.concurrency, args.seconds, args.warmup))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
