"""The simulator's HTTP door: a client-credentials token, then ``POST /v1/orders``."""

from __future__ import annotations

import uuid

import httpx
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from devtools.upstream.plan import Kind, Planner, Send
from devtools.upstream.simulator import Report, note, paced

ATTEMPTS = 6


class TryAgain(Exception):
    """An answer that a retry with the same Idempotency-Key may change (409 in progress, 5xx)."""


async def client_token(http: httpx.AsyncClient, client_id: str, secret: str) -> str:
    """An access token for the client (``client_secret_basic``)."""
    answer = await http.post(
        "/v1/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


async def simulate_over_http(
    base_url: str,
    client_id: str,
    secret: str,
    planner: Planner,
    *,
    count: int,
    rate: float,
) -> Report:
    """Post ``count`` submissions at ``rate`` per second, retrying the same key when needed."""
    report = Report(over="http")
    ce_ids: dict[str, uuid.UUID] = {}
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        token = await client_token(http, client_id, secret)
        http.headers["Authorization"] = f"Bearer {token}"

        async def send(sending: Send) -> None:
            key = str(note(report, sending, ce_ids))  # a duplicate may reuse the first key
            status = await _post(http, report, sending, key)
            report.statuses[str(status)] = report.statuses.get(str(status), 0) + 1
            if sending.kind is Kind.BAD and report.references[-1:] == [
                sending.body["external_reference"]
            ]:
                report.references.pop()  # refused by the schema: no submission, no reply

        report.seconds = await paced(planner, count, rate, send)
    return report


async def _post(http: httpx.AsyncClient, report: Report, sending: Send, key: str) -> int:
    retrying = AsyncRetrying(
        stop=stop_after_attempt(ATTEMPTS),
        wait=wait_exponential(multiplier=0.1, max=2),
        retry=retry_if_exception_type((TryAgain, httpx.TransportError)),
        reraise=True,
    )
    async for attempt in retrying:
        with attempt:
            if attempt.retry_state.attempt_number > 1:
                report.retries += 1
            answer = await http.post(
                "/v1/orders", json=sending.body, headers={"Idempotency-Key": key}
            )
            if answer.status_code == 409 and answer.json().get("code") == "request_in_progress":
                raise TryAgain
            if answer.status_code >= 500:
                raise TryAgain
    return answer.status_code
