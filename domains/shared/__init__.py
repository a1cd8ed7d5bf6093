"""The shared kernel: what every domain uses the same way (errors, money, unit of work)."""

from domains.shared.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from domains.shared.money import ISO_4217, is_currency
from domains.shared.unit_of_work import Aggregate, UnitOfWork

__all__ = [
    "ISO_4217",
    "Aggregate",
    "Conflict",
    "DomainError",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "UnitOfWork",
    "is_currency",
]
