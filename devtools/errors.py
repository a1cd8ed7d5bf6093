"""The one error type of the dev tooling: a message a person can act on, never a traceback."""

from __future__ import annotations


class DevError(Exception):
    """Something the user can fix: ``message`` says what failed, ``hint`` what to do.

    ``details`` (for example the tail of a server log) is printed before the message.
    """

    def __init__(self, message: str, *, hint: str = "", details: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message
