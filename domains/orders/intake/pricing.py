"""Lines of a submission, priced: from the catalog, or the caller's own price with its scope.

The catalog's quote checks what every line needs whoever prices it: the SKU exists, is active
and is priced in the order's currency.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from domains.catalog import api as catalog
from domains.identity.api import ORDERS_PRICE
from domains.orders.intake.command import SubmitOrder
from domains.orders.lines import OrderLine
from domains.shared import Forbidden

CATALOG = "catalog"
CALLER = "caller"


async def price_lines(
    session: AsyncSession,
    command: SubmitOrder,
    prices: Mapping[str, catalog.Price] | None = None,
) -> tuple[tuple[OrderLine, ...], str]:
    """The order lines and who priced them (``catalog`` or ``caller``); ``prices``: the
    catalog's, read already for every SKU of the command (else read now)."""
    caller_priced = any(line.unit_price_minor is not None for line in command.lines)
    if caller_priced and not command.client.may(ORDERS_PRICE):
        raise Forbidden(
            f"prices in a submission need the {ORDERS_PRICE} scope; leave unit_price_minor "
            "out to use the catalog's",
            code="price_not_allowed",
        )
    items = tuple((line.sku, line.quantity) for line in command.lines)
    quote = await catalog.quote(session, items, command.currency, prices=prices)
    lines = tuple(
        OrderLine(
            quoted.sku,
            quoted.quantity,
            quoted.unit_price_minor if given.unit_price_minor is None else given.unit_price_minor,
        )
        for given, quoted in zip(command.lines, quote.lines, strict=True)
    )
    return lines, CALLER if caller_priced else CATALOG
