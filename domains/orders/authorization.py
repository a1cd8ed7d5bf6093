"""Who may do what with an order. The edge authenticates; these rules authorize."""

from __future__ import annotations

from domains.identity.api import ADMIN, OPERATOR, Principal, ServiceClient
from domains.orders.model import Order
from domains.shared import Forbidden, NotFound


def is_staff(principal: Principal) -> bool:
    """Admins and operators see every order."""
    return principal.has_role(ADMIN) or principal.has_role(OPERATOR)


def ensure_may_view(principal: Principal, order: Order) -> None:
    """A customer sees only their own orders; another's is as good as missing (404)."""
    if order.customer_id != principal.user_id and not is_staff(principal):
        raise NotFound(f"order {order.id} does not exist", code="order_not_found")


def ensure_may_cancel(principal: Principal, order: Order) -> None:
    """The owner or an admin cancels; an operator may look but not cancel (403)."""
    ensure_may_view(principal, order)
    if order.customer_id != principal.user_id and not principal.has_role(ADMIN):
        raise Forbidden("only the customer or an admin may cancel an order", code="forbidden")


def ensure_admin(principal: Principal) -> None:
    """Refunds and reports are for admins only (403)."""
    if not principal.has_role(ADMIN):
        raise Forbidden("this needs the admin role", code="admin_required")


def ensure_scope(client: ServiceClient, scope: str) -> None:
    """A service client reaches a route only with the route's scope (403)."""
    if not client.may(scope):
        raise Forbidden(f"this needs the {scope} scope", code="insufficient_scope")
