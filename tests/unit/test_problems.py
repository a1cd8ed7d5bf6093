"""One status map for the whole API: every kind of domain error has its status."""

from __future__ import annotations

import json

from domains.catalog.api import OutOfStock
from domains.payments.api import CircuitOpen
from domains.shared import KINDS, ConcurrentUpdate, DomainError, NotFound, kind_of
from domains.shared.problems import STATUS, error_response, status_of


def test_every_kind_of_error_has_a_status() -> None:
    assert set(STATUS) == {kind.__name__ for kind in KINDS}


def test_an_error_answers_with_the_status_of_its_kind() -> None:
    assert status_of(kind_of(OutOfStock("MUG-1", 3, 1))) == 409
    assert status_of(kind_of(ConcurrentUpdate("order 1 changed"))) == 409
    assert status_of(kind_of(NotFound("no such order", code="order_not_found"))) == 404
    assert status_of(kind_of(DomainError("plain", code="idempotency_key_missing"))) == 400


def test_an_unavailable_partner_is_a_503_with_retry_after() -> None:
    response = error_response(CircuitOpen("the provider is failing", retry_after=7.4))

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "7"
    assert response.media_type == "application/problem+json"
    assert json.loads(bytes(response.body))["code"] == "payment_provider_circuit_open"
