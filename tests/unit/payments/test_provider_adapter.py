"""The provider adapter against the fake provider (in memory): answers, retries, breaker."""

from __future__ import annotations

import httpx
import pytest

from devtools.fakes.payment_provider import Behaviour, ProviderState, create_provider_app
from domains.payments.api import (
    BreakerState,
    CircuitBreaker,
    CircuitOpen,
    Outcome,
    PaymentProvider,
    ProviderSettings,
    ProviderUnavailable,
)

SETTINGS = ProviderSettings(base_url="http://provider", timeout=1, attempts=3, total_budget=5)


def _adapter(state: ProviderState, *, threshold: int = 5) -> PaymentProvider:
    transport = httpx.ASGITransport(app=create_provider_app(state))
    breaker = CircuitBreaker(failure_threshold=threshold, reset_timeout=60)
    return PaymentProvider(SETTINGS, breaker=breaker, transport=transport)


async def _authorize(adapter: PaymentProvider, key: str, token: str = "tok_visa") -> Outcome:  # noqa: S107
    answer = await adapter.authorize(key, amount_minor=2500, currency="EUR", card_token=token)
    return answer.outcome


async def test_authorize_then_lookup_by_the_same_key_gives_the_same_answer() -> None:
    adapter = _adapter(ProviderState())

    first = await adapter.authorize("k1", amount_minor=100, currency="EUR", card_token="tok_visa")
    again = await adapter.authorize("k1", amount_minor=100, currency="EUR", card_token="tok_visa")
    looked_up = await adapter.lookup("k1")

    assert first.outcome is Outcome.AUTHORIZED
    assert again == first == looked_up
    assert await adapter.lookup("never-sent") is None


async def test_a_decline_token_is_declined_and_does_not_count_as_a_failure() -> None:
    adapter = _adapter(ProviderState(), threshold=1)

    assert await _authorize(adapter, "k2", token="tok_decline") is Outcome.DECLINED
    assert adapter.breaker.state is BreakerState.CLOSED


async def test_a_5xx_is_retried_with_the_same_key() -> None:
    state = ProviderState(behaviour=Behaviour(failure_mode="error", failure_count=2))
    adapter = _adapter(state)

    assert await _authorize(adapter, "k3") is Outcome.AUTHORIZED
    assert state.calls == 3
    assert len(state.authorizations) == 1  # one charge, however many attempts


async def test_persistent_failures_open_the_circuit_and_then_calls_are_refused_unsent() -> None:
    state = ProviderState(behaviour=Behaviour(failure_mode="error"))
    adapter = _adapter(state, threshold=3)

    with pytest.raises(ProviderUnavailable):
        await _authorize(adapter, "k4")
    calls = state.calls
    with pytest.raises(CircuitOpen):
        await _authorize(adapter, "k5")

    assert adapter.breaker.state is BreakerState.OPEN
    assert state.calls == calls == 3


async def test_a_timeout_is_unknown_not_declined() -> None:
    def hang(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    adapter = PaymentProvider(
        SETTINGS, breaker=CircuitBreaker(), transport=httpx.MockTransport(hang)
    )

    with pytest.raises(ProviderUnavailable) as unknown:
        await _authorize(adapter, "k6")

    assert "timeout" in unknown.value.message
