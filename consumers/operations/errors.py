"""Errors an operator can fix: each says what was wrong and what to do next."""

from __future__ import annotations


class OperationError(Exception):
    """A request the tooling refuses; the message is one line meant for the operator."""


class UnknownGroup(OperationError):
    """No dead-letter topic exists for the named consumer group."""


class InvalidSelection(OperationError):
    """A selector is malformed (time, offsets, rate, unknown failure reason)."""


class EmptySelection(OperationError):
    """The selectors match no unresolved dead letter."""


class JobConflict(OperationError):
    """Another job already holds some of the selected records, or runs right now."""


class JobNotFound(OperationError):
    """No job has the given id."""


class JobNotResumable(OperationError):
    """The job is finished or cancelled."""
