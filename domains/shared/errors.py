"""Errors a domain raises; the HTTP edge maps them to statuses (``domains.shared.problems``).

All but ``Unavailable`` are about something the caller did (4xx).
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule said no. ``code`` is stable and machine-readable; the message is for humans."""

    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidInput(DomainError):
    """The request breaks a domain rule (not a schema rule)."""

    code = "invalid_input"


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it does."""

    code = "not_found"


class Conflict(DomainError):
    """The request conflicts with the current state (a concurrent change, a bad transition)."""

    code = "conflict"


class ConcurrentUpdate(Conflict):
    """Somebody changed the same aggregate since it was read; reload and retry."""

    code = "concurrent_update"


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    code = "forbidden"


class Unavailable(DomainError):
    """A partner the request needs is not answering; retry after ``retry_after`` seconds."""

    code = "unavailable"

    def __init__(self, message: str, *, code: str | None = None, retry_after: float = 1.0) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class RateLimited(DomainError):
    """The caller sent too many requests of this kind; retry after ``retry_after`` seconds."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: float, scope: str) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.scope = scope


# The kinds of error a caller may meet; an error is one of these (or a plain DomainError).
KINDS: tuple[type[DomainError], ...] = (
    InvalidInput,
    NotFound,
    Conflict,
    Forbidden,
    Unavailable,
    RateLimited,
)


def kind_of(error: DomainError) -> str:
    """The name of the kind ``error`` belongs to, ``DomainError`` for none (stored refusals)."""
    return next((k.__name__ for k in KINDS if isinstance(error, k)), DomainError.__name__)
