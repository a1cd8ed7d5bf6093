"""Product rules: valid SKUs and prices, versioned changes, one event per real change."""

from __future__ import annotations

import pytest

from domains.catalog.model import PriceChanged, Product, ProductCreated, ProductUpdated
from domains.shared import InvalidInput


def _mug(**overrides: object) -> Product:
    fields: dict[str, object] = {
        "sku": "MUG-1",
        "name": "Mug",
        "description": "",
        "price_minor": 1299,
        "currency": "EUR",
        "active": True,
    }
    return Product.create(**{**fields, **overrides})  # type: ignore[arg-type]


def test_a_new_product_is_version_1_and_records_its_creation() -> None:
    product = _mug()

    assert product.version == 1
    assert [type(e) for e in product.events] == [ProductCreated]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"sku": "has space"}, "bad_sku"),
        ({"sku": ""}, "bad_sku"),
        ({"name": "   "}, "bad_name"),
        ({"price_minor": -1}, "bad_price"),
        ({"price_minor": 10**13}, "bad_price"),
        ({"currency": "EURO"}, "unknown_currency"),
        ({"description": "x" * 5001}, "bad_description"),
    ],
)
def test_invalid_products_are_refused_with_a_code(overrides: dict[str, object], code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        _mug(**overrides)

    assert refused.value.code == code


def test_a_price_change_records_old_and_new_price_and_bumps_the_version() -> None:
    product = _mug()
    product.events.clear()

    product.change_price(1499, "EUR")

    (event,) = product.events
    assert isinstance(event, PriceChanged)
    assert (event.old_price_minor, event.old_currency) == (1299, "EUR")
    assert (event.product.price_minor, event.version, product.version) == (1499, 2, 2)


def test_changes_that_change_nothing_record_nothing() -> None:
    product = _mug()
    product.events.clear()

    product.change_price(1299, "EUR")
    product.update(name="Mug", active=True)

    assert product.events == []
    assert product.version == 1


def test_an_update_keeps_a_snapshot_of_the_values_it_made() -> None:
    product = _mug()
    product.update(active=False)
    product.update(name="Big mug")

    first, second = (e for e in product.events if isinstance(e, ProductUpdated))
    assert (first.product.active, first.product.name, first.version) == (False, "Mug", 2)
    assert (second.product.name, second.version) == ("Big mug", 3)
