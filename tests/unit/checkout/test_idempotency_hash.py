"""The body hash an Idempotency-Key is bound to."""

from __future__ import annotations

import uuid

from domains.orders.api import Checkout, request_hash


def _checkout(**changes: object) -> Checkout:
    fields: dict[str, object] = {
        "customer_id": uuid.uuid4(),
        "idempotency_key": "k-1",
        "currency": "EUR",
        "items": (("SKU-1", 2), ("SKU-2", 1)),
        "card_token": "tok_visa",
    }
    return Checkout(**{**fields, **changes})  # type: ignore[arg-type]


def test_key_order_and_whitespace_do_not_change_the_hash() -> None:
    assert request_hash({"a": 1, "b": [1, 2]}) == request_hash({"b": [1, 2], "a": 1})


def test_the_same_cart_hashes_the_same_for_any_key_or_customer() -> None:
    assert _checkout().request_hash == _checkout(idempotency_key="other").request_hash


def test_any_change_of_cart_currency_or_card_changes_the_hash() -> None:
    base = _checkout().request_hash

    assert _checkout(items=(("SKU-1", 3), ("SKU-2", 1))).request_hash != base
    assert _checkout(items=(("SKU-2", 1), ("SKU-1", 2))).request_hash != base
    assert _checkout(currency="USD").request_hash != base
    assert _checkout(card_token="tok_other").request_hash != base


def test_the_hash_is_hex_sha256() -> None:
    digest = request_hash({"x": 1})

    assert len(digest) == 64
    int(digest, 16)
