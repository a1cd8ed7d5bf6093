"""Why a record cannot become a typed event: one exception family, one reason per cause."""

from __future__ import annotations

import enum


class Reason(enum.StrEnum):
    """Why a record can never be handled, however often it is retried.

    The values are the ones orderflow's own consumers write into their dead letters.
    """

    CANNOT_DECODE = "cannot_decode"
    """Not a CloudEvents record of orderflow: a header missing or malformed, or no JSON value."""
    UNKNOWN_TYPE = "unknown_type"
    """``ce_type`` names an event this kit does not know."""
    UNKNOWN_VERSION = "unknown_version"
    """A version newer than this kit: upgrade ``orderflow-events``, then replay the record."""
    INVALID_PAYLOAD = "invalid_payload"
    """The JSON value does not match the schema of the version it claims."""


class UndecodableRecord(Exception):
    """A record that cannot become a typed event. Route it to your dead-letter topic.

    Attributes:
        reason: why, as a :class:`Reason`.
        detail: a human explanation naming the header or field at fault.
    """

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class UnknownEventVersion(UndecodableRecord):
    """The record's version is newer than this kit knows: upgrade the kit and replay it."""

    def __init__(self, detail: str) -> None:
        super().__init__(Reason.UNKNOWN_VERSION, detail)
