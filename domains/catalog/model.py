"""The product aggregate: plain Python, no persistence or framework code."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from domains.shared import InvalidInput, is_currency

SKU_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"
MAX_PRICE_MINOR = 10**12
MAX_NAME = 200
MAX_DESCRIPTION = 5000


@dataclass(frozen=True)
class ProductCreated:
    """Domain event: the product exists (version 1). ``product`` is a snapshot."""

    product: Product


@dataclass(frozen=True)
class ProductUpdated:
    """Domain event: name, description or the active flag changed."""

    product: Product
    version: int


@dataclass(frozen=True)
class PriceChanged:
    """Domain event: the unit price or currency changed."""

    product: Product
    old_price_minor: int
    old_currency: str
    version: int


@dataclass(eq=False)
class Product:
    """A sellable product. The SKU never changes; ``version`` grows with every change."""

    id: uuid.UUID
    sku: str
    name: str
    description: str
    price_minor: int
    currency: str
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int = 1
    events: list[object] = field(default_factory=list)

    @classmethod
    def create(
        cls, *, sku: str, name: str, description: str, price_minor: int, currency: str, active: bool
    ) -> Product:
        """A new product, checked against the catalog's rules."""
        check_sku(sku)
        check_text(name, description)
        check_price(price_minor, currency)
        now = datetime.now(UTC)
        product = cls(
            id=uuid.uuid4(),
            sku=sku,
            name=name.strip(),
            description=description,
            price_minor=price_minor,
            currency=currency,
            active=active,
            created_at=now,
            updated_at=now,
        )
        product.events.append(ProductCreated(product.snapshot()))
        return product

    def update(
        self, *, name: str | None = None, description: str | None = None, active: bool | None = None
    ) -> None:
        """Change the descriptive fields given; a change that changes nothing records nothing."""
        new_name = self.name if name is None else name.strip()
        new_description = self.description if description is None else description
        new_active = self.active if active is None else active
        check_text(new_name, new_description)
        if (new_name, new_description, new_active) == (self.name, self.description, self.active):
            return
        self.name, self.description, self.active = new_name, new_description, new_active
        self._bump()
        self.events.append(ProductUpdated(self.snapshot(), self.version))

    def change_price(self, price_minor: int, currency: str) -> None:
        """Set a new unit price; the same price again records nothing."""
        check_price(price_minor, currency)
        if (price_minor, currency) == (self.price_minor, self.currency):
            return
        old_price, old_currency = self.price_minor, self.currency
        self.price_minor, self.currency = price_minor, currency
        self._bump()
        self.events.append(PriceChanged(self.snapshot(), old_price, old_currency, self.version))

    def snapshot(self) -> Product:
        """A copy of the current values (domain events keep what was true when they happened)."""
        return replace(self, events=[])

    def _bump(self) -> None:
        self.version += 1
        self.updated_at = datetime.now(UTC)


def check_sku(sku: str) -> None:
    """SKUs are 1-64 letters, digits, dots, dashes or underscores."""
    if not re.fullmatch(SKU_PATTERN, sku):
        raise InvalidInput(f"{sku!r} is not a valid SKU", code="bad_sku")


def check_text(name: str, description: str) -> None:
    """A product needs a name; both texts have a maximum length."""
    if not name.strip() or len(name) > MAX_NAME:
        raise InvalidInput(f"a name has 1 to {MAX_NAME} characters", code="bad_name")
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(
            f"a description has at most {MAX_DESCRIPTION} characters", code="bad_description"
        )


def check_price(price_minor: int, currency: str) -> None:
    """Prices are non-negative integer minor units in an ISO 4217 currency."""
    if not is_currency(currency):
        raise InvalidInput(f"{currency!r} is not an ISO 4217 currency", code="unknown_currency")
    if not 0 <= price_minor <= MAX_PRICE_MINOR:
        raise InvalidInput(
            f"a price is between 0 and {MAX_PRICE_MINOR} minor units", code="bad_price"
        )
