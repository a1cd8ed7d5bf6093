"""The committed event catalog is the one the registry generates."""

from __future__ import annotations

from events.contracts import render_catalog
from events.contracts.catalog import CATALOG_PATH


def test_the_committed_catalog_is_up_to_date() -> None:
    assert CATALOG_PATH.exists(), "run `orderflow docs catalog`"
    assert CATALOG_PATH.read_text() == render_catalog(), "run `orderflow docs catalog`"


def test_the_catalog_shows_the_version_history_and_what_each_version_added() -> None:
    catalog = render_catalog()

    assert "## Topic `orders.order.v1`" in catalog
    assert "| v1 | `orderflow.orders.OrderPlaced.v1` | first version |" in catalog
    assert "| v2 | `orderflow.orders.OrderPlaced.v2` | added `channel` |" in catalog
    assert "| `channel` | string | null | no | v2 |" in catalog
