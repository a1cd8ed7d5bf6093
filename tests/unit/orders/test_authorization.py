"""Who may see, cancel and refund which order."""

from __future__ import annotations

import uuid

import pytest

from domains.identity.api import Principal
from domains.orders.api import Order, OrderLine
from domains.orders.authorization import ensure_admin, ensure_may_cancel, ensure_may_view
from domains.shared import Forbidden, NotFound

OWNER = uuid.uuid4()
ORDER = Order.place(OWNER, "EUR", (OrderLine("SKU-1", 1, 100),))


def _as(*roles: str, user: uuid.UUID | None = None) -> Principal:
    return Principal(user or uuid.uuid4(), frozenset(roles))


def test_the_owner_sees_and_cancels_their_order() -> None:
    owner = _as("customer", user=OWNER)

    ensure_may_view(owner, ORDER)
    ensure_may_cancel(owner, ORDER)


def test_another_customer_gets_not_found_so_order_ids_leak_nothing() -> None:
    stranger = _as("customer")

    with pytest.raises(NotFound):
        ensure_may_view(stranger, ORDER)
    with pytest.raises(NotFound):
        ensure_may_cancel(stranger, ORDER)


def test_an_operator_sees_every_order_but_may_not_cancel() -> None:
    operator = _as("operator")

    ensure_may_view(operator, ORDER)
    with pytest.raises(Forbidden):
        ensure_may_cancel(operator, ORDER)


def test_an_admin_sees_cancels_and_refunds() -> None:
    admin = _as("admin")

    ensure_may_view(admin, ORDER)
    ensure_may_cancel(admin, ORDER)
    ensure_admin(admin)


@pytest.mark.parametrize("roles", [("customer",), ("operator",), ()])
def test_only_admins_refund(roles: tuple[str, ...]) -> None:
    with pytest.raises(Forbidden) as refused:
        ensure_admin(_as(*roles, user=OWNER))

    assert refused.value.code == "admin_required"
