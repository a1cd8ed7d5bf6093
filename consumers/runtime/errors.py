"""Failure classes: what a handler may raise, and how the runtime sorts any exception."""

from __future__ import annotations

import enum

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from events import PoisonMessage


class PermanentError(Exception):
    """Raised by a handler when retrying can never help: the record goes to the DLQ at once."""


class TransientError(Exception):
    """Raised by a handler when a later attempt may succeed (a dependency is down)."""


class FailureClass(enum.StrEnum):
    """How the runtime treats a failure."""

    POISON = "poison"
    PERMANENT = "permanent"
    TRANSIENT = "transient"


TRANSIENT_TYPES: tuple[type[BaseException], ...] = (
    TransientError,
    TimeoutError,  # asyncio.TimeoutError is the same class since 3.11
    OSError,  # ConnectionError and socket errors are OSErrors
    OperationalError,
    InterfaceError,
)


def classify(error: BaseException) -> FailureClass:
    """The class of ``error``.

    Anything not declared permanent or poison is treated as transient: an unexpected bug is
    usually fixed by a deploy, and the retry tiers give that deploy time to land before the
    record reaches the DLQ; the DLQ still catches it if the bug stays.
    """
    if isinstance(error, PoisonMessage):
        return FailureClass.POISON
    if isinstance(error, PermanentError):
        return FailureClass.PERMANENT
    if isinstance(error, DBAPIError) and not isinstance(error, TRANSIENT_TYPES):
        # Constraint violations and the like fail the same way on every attempt.
        return FailureClass.PERMANENT
    return FailureClass.TRANSIENT


def is_transient(error: BaseException) -> bool:
    """Whether a quick in-process retry is worth it."""
    return classify(error) is FailureClass.TRANSIENT
