"""Every way a session ends reaches BOTH API processes within the session check's TTL.

Each test logs in on one process, makes both processes remember the session is open (a cached
answer), ends it through a process, and then polls the other process until it refuses the
access token: within ``CHECK_TTL_SECONDS`` plus scheduling slack, never longer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.identity import api as identity
from tests.integration.sessions.conftest import CHECK_TTL_SECONDS, TwoApis, client_address
from tests.support.identity import PASSWORD, bearer, identity_config, new_user, signed_in

Sessions = async_sessionmaker[AsyncSession]
BOUND = CHECK_TTL_SECONDS + 0.25  # the TTL, plus the timers' granularity
PATIENCE = 60.0  # for answers on a loaded machine; the bound is checked per request


@pytest.fixture
async def clients(two_apis: TwoApis) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    headers = client_address()
    async with (
        httpx.AsyncClient(base_url=two_apis.a.base_url, headers=headers, timeout=30) as a,
        httpx.AsyncClient(base_url=two_apis.b.base_url, headers=headers, timeout=30) as b,
    ):
        yield a, b


async def _log_in(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD
) -> dict[str, str]:
    response = await client.post("/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def _open_everywhere(token: str, *apis: httpx.AsyncClient) -> None:
    for api in apis:
        me = await api.get("/v1/me", headers=bearer(token))
        assert me.status_code == 200, me.text


async def _refused_within_bound(
    api: httpx.AsyncClient, token: str, meanwhile: tuple[int, ...] = (200,)
) -> None:
    """``api`` refuses ``token`` as an ended session for every request that starts more than
    ``CHECK_TTL_SECONDS`` after the session ended (call it right after the ending answer).

    Until then the token may still pass (a cached answer): ``meanwhile`` are the statuses
    ``/v1/me`` may give while it does (a deleted user's account is a 404 by then). Judged by
    when each request started, not by how long a loaded machine took to answer it."""
    ended = time.monotonic()
    while time.monotonic() - ended < PATIENCE:
        started = time.monotonic()
        me = await api.get("/v1/me", headers=bearer(token))
        if me.status_code == 401:
            assert me.json()["code"] == "session_ended"
            return
        late = started - ended
        assert late < BOUND, f"a request {late:.2f} s after the session ended still passed"
        assert me.status_code in meanwhile, me.text
        await asyncio.sleep(0.05)
    raise AssertionError(f"no answer refused the token within {PATIENCE} s")


async def test_a_password_change_ends_every_session_on_both_processes(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient], sessions: Sessions, two_apis: TwoApis
) -> None:
    a, b = clients
    user = await new_user(sessions, two_apis.settings)
    first, second = await _log_in(a, user.email), await _log_in(b, user.email)
    await _open_everywhere(first["access_token"], a, b)

    changed = await a.post(
        "/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "a new passphrase 2"},
        headers=bearer(first["access_token"]),
    )

    assert changed.status_code == 204, changed.text
    await _refused_within_bound(b, first["access_token"])
    await _refused_within_bound(a, second["access_token"])
    refreshed = await b.post("/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert (refreshed.status_code, refreshed.json()["code"]) == (401, "invalid_refresh_token")
    assert (
        await a.post("/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    ).status_code == 401


async def test_a_password_reset_ends_every_session_on_both_processes(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient], sessions: Sessions, two_apis: TwoApis
) -> None:
    a, b = clients
    user = await new_user(sessions, two_apis.settings)
    tokens = await _log_in(a, user.email)
    await _open_everywhere(tokens["access_token"], a, b)
    config = identity_config(two_apis.settings)
    issued = await identity.request_password_reset(
        user.email, identity.IdentityUnitOfWork(sessions), config
    )
    assert issued is not None

    confirmed = await a.post(
        "/v1/auth/password-reset/confirm",
        json={"token": issued.token, "new_password": "a reset passphrase 3"},
    )

    assert confirmed.status_code == 204, confirmed.text
    await _refused_within_bound(b, tokens["access_token"])


async def test_a_role_change_ends_the_users_sessions_on_both_processes(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient], sessions: Sessions, two_apis: TwoApis
) -> None:
    a, b = clients
    user = await new_user(sessions, two_apis.settings, "operator")
    tokens = await _log_in(b, user.email)
    _, admin = await signed_in(sessions, two_apis.settings, "admin")
    await _open_everywhere(tokens["access_token"], a, b)

    demoted = await a.put(
        f"/v1/admin/users/{user.id}/roles",
        json={"roles": ["customer"]},
        headers=bearer(admin.access.token),
    )

    assert (demoted.status_code, demoted.json()["roles"]) == (200, ["customer"])
    await _refused_within_bound(b, tokens["access_token"])
    again = await _log_in(b, user.email)
    me = await a.get("/v1/me", headers=bearer(again["access_token"]))
    assert me.json()["roles"] == ["customer"]  # a new log-in carries the new roles


async def test_deleting_a_user_ends_its_sessions_on_both_processes(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient], sessions: Sessions, two_apis: TwoApis
) -> None:
    a, b = clients
    user = await new_user(sessions, two_apis.settings)
    tokens = await _log_in(a, user.email)
    _, admin = await signed_in(sessions, two_apis.settings, "admin")
    await _open_everywhere(tokens["access_token"], a, b)

    deleted = await b.delete(f"/v1/admin/users/{user.id}", headers=bearer(admin.access.token))

    assert deleted.status_code == 204, deleted.text
    await _refused_within_bound(a, tokens["access_token"], meanwhile=(200, 404))
    gone = await b.delete(f"/v1/admin/users/{user.id}", headers=bearer(admin.access.token))
    assert (gone.status_code, gone.json()["code"]) == (404, "user_not_found")


async def test_logging_out_ends_the_session_on_both_processes(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient], sessions: Sessions, two_apis: TwoApis
) -> None:
    a, b = clients
    user = await new_user(sessions, two_apis.settings)
    tokens, other = await _log_in(a, user.email), await _log_in(a, user.email)
    await _open_everywhere(tokens["access_token"], a, b)

    out = await b.post("/v1/auth/logout", headers=bearer(tokens["access_token"]))

    assert out.status_code == 204
    await _refused_within_bound(a, tokens["access_token"])
    refreshed = await a.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401
    await _open_everywhere(other["access_token"], a, b)  # the user's other session lives on


async def test_a_refresh_rotates_and_a_reused_refresh_token_ends_the_whole_family(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient], sessions: Sessions, two_apis: TwoApis
) -> None:
    a, b = clients
    user = await new_user(sessions, two_apis.settings)
    first = await _log_in(a, user.email)

    second = await b.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200, second.text
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    await _open_everywhere(rotated["access_token"], a, b)

    replayed = await a.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})

    assert (replayed.status_code, replayed.json()["code"]) == (401, "refresh_token_reused")
    await _refused_within_bound(b, rotated["access_token"])
    latest = await b.post("/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert (latest.status_code, latest.json()["code"]) == (401, "invalid_refresh_token")
