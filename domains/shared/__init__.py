"""The shared kernel: what every domain uses the same way (errors, money, unit of work)."""

from domains.shared.errors import (
    ConcurrentUpdate,
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
)
from domains.shared.money import ISO_4217, is_currency
from domains.shared.unit_of_work import Aggregate, UnitOfWork
from domains.shared.versioned import VersionedRows, update_versioned

__all__ = [
    "ISO_4217",
    "Aggregate",
    "ConcurrentUpdate",
    "Conflict",
    "DomainError",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "UnitOfWork",
    "VersionedRows",
    "is_currency",
    "update_versioned",
]
