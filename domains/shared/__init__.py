"""The shared kernel: what every domain uses the same way (errors, money, unit of work).

How errors look over HTTP is in ``domains.shared.problems``, imported by HTTP modules only.
"""

from domains.shared.errors import (
    KINDS,
    ConcurrentUpdate,
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    RateLimited,
    Unavailable,
    kind_of,
)
from domains.shared.money import ISO_4217, is_currency
from domains.shared.unit_of_work import Aggregate, UnitOfWork, outbox_rows_together
from domains.shared.versioned import VersionedRows, update_versioned

__all__ = [
    "ISO_4217",
    "KINDS",
    "Aggregate",
    "ConcurrentUpdate",
    "Conflict",
    "DomainError",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "RateLimited",
    "Unavailable",
    "UnitOfWork",
    "VersionedRows",
    "is_currency",
    "kind_of",
    "outbox_rows_together",
    "update_versioned",
]
