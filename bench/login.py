"""Log-in throughput with the PostgreSQL rate limiter on and off, and what the security checks
cost per request.

    python -m bench.login                # full run (~2 minutes)
    python -m bench.login --smoke        # seconds: proves it runs, the figures mean little

Runs on a fresh, migrated database of the configured PostgreSQL server (dropped at the end),
with production password hashing. Two APIs on that database differ only in
``ORDERFLOW_RATE_LIMIT_ENABLED``; both serve at once and the rounds alternate (on, off, on, …)
so the machine's background load hits both alike. Honest traffic: distinct accounts, each
request from its own client address (X-Forwarded-For, trusted from 127.0.0.1), every log-in
correct. Prints one JSON document. Not a test.

Also measured: one limiter check alone, the session check per request (cached and uncached),
and password-reset requests and registrations for known vs unknown addresses (the same answer,
in the same time).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid
from contextlib import AsyncExitStack
from typing import Any

import httpx
from alembic import command
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domains.identity import api as identity
from domains.shared.rate_limits import Limit, RateLimiter
from foundation.database import create_sessions
from foundation.namespace import DEFAULT_NAMESPACE
from orderflow.cli.db import alembic_config
from orderflow.http import create_app
from orderflow.logging import configure_logging
from orderflow.settings import DatabaseSettings, IdentitySettings, RateLimitSettings, Settings
from orderflow.wiring.connections import database_engine
from orderflow.wiring.identity import identity_settings
from tests.support.databases import fresh_database
from tests.support.processes import serving

PASSWORD = "bench password 123"  # noqa: S105 (the accounts of a throwaway database)
SECRET = "bench-login-secret-bench-login-secret-0123"  # noqa: S105 (a throwaway database)


def _settings(database_url: str, *, limiter: bool) -> Settings:
    return Settings(
        database=DatabaseSettings(url=database_url),
        identity=IdentitySettings(jwt_secret=SECRET),
        rate_limits=RateLimitSettings(enabled=limiter),
    )


async def _accounts(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, n: int
) -> list[str]:
    config = identity_settings(settings)
    emails = [f"bench-{uuid.uuid4().hex[:10]}@example.com" for _ in range(n)]
    for email in emails:
        command_ = identity.RegisterUser(email, PASSWORD)
        await identity.register_user(
            command_, identity.IdentityUnitOfWork(sessions), config.passwords
        )
    return emails


def _address(n: int) -> dict[str, str]:
    return {"X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"}


async def _round(
    url: str, emails: list[str], start: int, seconds: float, concurrency: int
) -> tuple[int, int]:
    """Logins completed in ``seconds`` (and non-200 answers), each from its own address."""
    counter = iter(range(start, start + 10_000_000))
    done = failed = 0
    deadline = time.monotonic() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal done, failed
        while time.monotonic() < deadline:
            n = next(counter)
            body = {"email": emails[n % len(emails)], "password": PASSWORD}
            answer = await client.post("/v1/auth/login", json=body, headers=_address(n))
            done += answer.status_code == 200
            failed += answer.status_code != 200

    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return done, failed


async def _throughput(
    urls: dict[str, str], emails: list[str], rounds: int, seconds: float, concurrency: int
) -> dict[str, Any]:
    rates: dict[str, list[float]] = {"on": [], "off": []}
    failures = {"on": 0, "off": 0}
    start = 0
    for r in range(rounds):
        for name in ("on", "off") if r % 2 == 0 else ("off", "on"):
            done, failed = await _round(urls[name], emails, start, seconds, concurrency)
            start += 100_000
            rates[name].append(done / seconds)
            failures[name] += failed
    on, off = statistics.median(rates["on"]), statistics.median(rates["off"])
    return {
        "logins_per_second_limiter_on": round(on, 2),
        "logins_per_second_limiter_off": round(off, 2),
        "limiter_cost_percent": round((off - on) / off * 100, 2) if off else None,
        "rounds_per_side": len(rates["on"]),
        "per_round": {k: [round(v, 2) for v in vs] for k, vs in rates.items()},
        "non_200": failures,
    }


async def _per_call_ms(call: Any, n: int) -> float:
    started = time.perf_counter()
    for i in range(n):
        await call(i)
    return round((time.perf_counter() - started) / n * 1000, 3)


async def _check_costs(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    email: str,
    n: int,
) -> dict[str, float]:
    limiter = RateLimiter(engine)
    limit = Limit("bench", "address", 1_000_000, 1.0)
    config = identity_settings(settings)
    pair = await identity.login(email, PASSWORD, identity.IdentityUnitOfWork(sessions), config)
    user_id = identity.decode_access_token(
        pair.access.token, keys=config.keys, rules=config.access_rules
    ).user_id

    async def limiter_check(i: int) -> None:
        await limiter.check(limit, f"client-{i}")

    def session_check(ttl_seconds: float) -> Any:
        check = identity.OpenSessions(sessions, ttl_seconds)

        async def call(_: int) -> None:
            assert await check.is_open(pair.session_id, user_id)

        return call

    return {
        "limiter_check_ms": await _per_call_ms(limiter_check, n),
        "session_check_uncached_ms": await _per_call_ms(session_check(0), n),
        "session_check_cached_ms": await _per_call_ms(session_check(60), n),
    }


async def _known_vs_unknown(
    url: str, path: str, body: Any, emails: list[str], n: int, start: int
) -> dict[str, float]:
    """p50 and p25-p75 of ``path`` for registered vs unknown addresses, interleaved (so the
    machine's background load hits both alike), each from its own client address."""
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        for i in range(n):
            for kind in ("known", "unknown") if i % 2 == 0 else ("unknown", "known"):
                email = (
                    emails[i % len(emails)]
                    if kind == "known"
                    else f"nobody-{uuid.uuid4().hex[:10]}@example.com"
                )
                started = time.perf_counter()
                answer = await client.post(path, json=body(email), headers=_address(start + i))
                times[kind].append(time.perf_counter() - started)
                assert answer.status_code == 202, answer.text
    figures: dict[str, float] = {}
    for kind, values in times.items():
        q1, q2, q3 = statistics.quantiles(values, n=4)
        figures[f"p50_ms_{kind}"] = round(q2 * 1000, 2)
        figures[f"iqr_ms_{kind}"] = round((q3 - q1) * 1000, 2)
    figures["p50_difference_ms"] = round(figures["p50_ms_known"] - figures["p50_ms_unknown"], 2)
    return figures


async def _enumeration_timing(url: str, emails: list[str], n: int) -> dict[str, Any]:
    """Reset requests and registrations: a registered address must not answer differently."""
    reset = await _known_vs_unknown(
        url, "/v1/auth/password-reset", lambda e: {"email": e}, emails, n, 900_000
    )
    register = await _known_vs_unknown(
        url,
        "/v1/auth/register",
        lambda e: {"email": e, "password": PASSWORD},
        emails,
        max(4, n // 4),  # each one hashes a password (~0.1-0.6 s)
        950_000,
    )
    return {"reset_request_timing": reset, "register_timing": register}


async def bench(
    accounts: int, rounds: int, seconds: float, concurrency: int, samples: int
) -> dict[str, Any]:
    """Run everything on a fresh database; return the figures."""
    async with fresh_database(Settings().database.url, prefix="bench_login") as url:
        await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
        on, off = _settings(url, limiter=True), _settings(url, limiter=False)
        engine = database_engine(on)
        sessions = create_sessions(engine, DEFAULT_NAMESPACE)
        try:
            emails = await _accounts(sessions, on, accounts)
            async with AsyncExitStack() as stack:
                urls = {
                    "on": await stack.enter_async_context(serving(create_app(engine, settings=on))),
                    "off": await stack.enter_async_context(
                        serving(create_app(engine, settings=off))
                    ),
                }
                figures = await _throughput(urls, emails, rounds, seconds, concurrency)
                figures.update(await _enumeration_timing(urls["off"], emails, samples))
            figures.update(await _check_costs(engine, sessions, on, emails[0], samples * 10))
        finally:
            await engine.dispose()
    return {
        "benchmark": "login",
        "accounts": accounts,
        "concurrency": concurrency,
        "seconds_per_round": seconds,
        **figures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a few seconds: proves it runs")
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=6, help="per side, alternating")
    parser.add_argument("--seconds", type=float, default=8.0, help="per round")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--samples", type=int, default=60)
    args = parser.parse_args()
    if args.smoke:
        args.accounts, args.rounds, args.seconds, args.samples = 8, 2, 1.0, 4
    configure_logging("WARNING", "json")  # stdout is the JSON document alone
    result = asyncio.run(
        bench(args.accounts, args.rounds, args.seconds, args.concurrency, args.samples)
    )
    print(json.dumps({**result, "smoke": args.smoke}, indent=2))


if __name__ == "__main__":
    main()
