"""The payment provider adapter: HTTP (httpx) with timeouts, retries and a circuit breaker.

Every call carries an idempotency key (authorize, refund) or only reads (lookup), so the
provider makes them idempotent and a retry can never charge twice. Retries happen only for
such calls and only for transient failures (timeouts, connection errors, 5xx).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
)

from domains.payments.breaker import CircuitBreaker
from domains.payments.metrics import PROVIDER_CALLS, export_breaker_state
from domains.payments.model import Authorization, Outcome, RefundReceipt
from domains.shared import DomainError, Unavailable


class ProviderUnavailable(Unavailable):
    """The provider did not answer (timeout, connection failure, 5xx); the outcome is unknown."""

    code = "payment_provider_unavailable"


class CircuitOpen(ProviderUnavailable):
    """The breaker is open: the provider was failing, calls are refused without trying."""

    code = "payment_provider_circuit_open"


class ProviderRejected(DomainError):
    """The provider refused the request itself (4xx other than a decline): our bug or data."""

    code = "payment_provider_rejected"


class _Transient(Exception):
    """One attempt failed in a way worth retrying."""


@dataclass(frozen=True)
class ProviderSettings:
    """Where the provider is and how patient we are with it."""

    base_url: str
    timeout: float = 2.0
    attempts: int = 3
    total_budget: float = 5.0


class PaymentProvider:
    """The client of one payment provider. One per process (it owns the breaker)."""

    def __init__(
        self,
        settings: ProviderSettings,
        *,
        breaker: CircuitBreaker | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.breaker = breaker or CircuitBreaker(on_change=export_breaker_state)
        self._client = httpx.AsyncClient(
            base_url=settings.base_url,
            timeout=httpx.Timeout(settings.timeout),
            transport=transport,
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def authorize(
        self, key: str, *, amount_minor: int, currency: str, card_token: str
    ) -> Authorization:
        """Authorize a payment; the provider dedupes by ``key``."""
        body = {
            "idempotency_key": key,
            "amount_minor": amount_minor,
            "currency": currency,
            "card_token": card_token,
        }
        answer = await self._call("authorize", "POST", "/v1/authorizations", body)
        return _authorization(answer or {})

    async def lookup(self, key: str) -> Authorization | None:
        """What the provider decided for ``key``; None when it never saw that key."""
        answer = await self._call("lookup", "GET", f"/v1/authorizations/{key}", None)
        return None if answer is None else _authorization(answer)

    async def refund(self, key: str, *, reference: str, amount_minor: int) -> RefundReceipt:
        """Refund ``amount_minor`` of authorization ``reference``; deduped by ``key``."""
        body = {"idempotency_key": key, "authorization": reference, "amount_minor": amount_minor}
        answer = await self._call("refund", "POST", "/v1/refunds", body) or {}
        return RefundReceipt(reference=str(answer["reference"]))

    async def _call(
        self, operation: str, method: str, path: str, body: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.settings.attempts)
            | stop_after_delay(self.settings.total_budget),
            wait=wait_exponential(multiplier=0.05, max=0.5),
            retry=retry_if_exception_type(_Transient),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._attempt(operation, method, path, body)
        except _Transient as exc:
            raise ProviderUnavailable(
                f"the payment provider did not answer {operation}: {exc}",
                retry_after=self.breaker.retry_after() or 1.0,
            ) from exc
        raise AssertionError("unreachable: tenacity re-raises or returns")  # pragma: no cover

    async def _attempt(
        self, operation: str, method: str, path: str, body: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        if not self.breaker.allow():
            PROVIDER_CALLS.labels(operation, "circuit_open").observe(0)
            raise CircuitOpen(
                "the payment provider is failing; payments are paused, try again shortly",
                retry_after=self.breaker.retry_after() or 1.0,
            )
        started = time.perf_counter()
        outcome = "error"
        try:
            response = await self._client.request(method, path, json=body)
            outcome = _classify(response)
        except httpx.TimeoutException as exc:
            outcome = "timeout"
            raise _Transient(f"timeout after {self.settings.timeout}s") from exc
        except httpx.TransportError as exc:
            outcome = "connection_error"
            raise _Transient(type(exc).__name__) from exc
        finally:
            PROVIDER_CALLS.labels(operation, outcome).observe(time.perf_counter() - started)
            self._tell_breaker(outcome)
        return _answer(response, outcome)

    def _tell_breaker(self, outcome: str) -> None:
        if outcome in ("timeout", "connection_error", "server_error"):
            self.breaker.record_failure()
        else:
            self.breaker.record_success()


def _classify(response: httpx.Response) -> str:
    if response.status_code >= 500:
        return "server_error"
    if response.status_code == 404:
        return "not_found"
    if response.status_code >= 400:
        return "rejected"
    return "ok"


def _answer(response: httpx.Response, outcome: str) -> dict[str, Any] | None:
    if outcome == "server_error":
        raise _Transient(f"HTTP {response.status_code}")
    if outcome == "not_found":
        return None
    if outcome == "rejected":
        raise ProviderRejected(f"the payment provider refused the request: {response.text[:200]}")
    answer: dict[str, Any] = response.json()
    return answer


def _authorization(answer: dict[str, Any]) -> Authorization:
    outcome = Outcome(answer["status"])
    return Authorization(
        outcome=outcome, reference=answer.get("reference"), decline_code=answer.get("decline_code")
    )
