"""Times operators type: ISO-8601 instants or durations ago (``30m``, ``2h``, ``7d``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from orderflow.cli.errors import UserError

_DURATION = re.compile(r"^(\d+)\s*([smhdw])(?:\s*ago)?$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_time(text: str, *, option: str = "time", now: datetime | None = None) -> datetime:
    """An aware UTC datetime for ``text``; a naive ISO time is taken as UTC.

    Raises :class:`UserError` with a message naming ``option`` and the accepted forms.
    """
    raw = text.strip().lower()
    current = now or datetime.now(UTC)
    if raw == "now":
        return current
    duration = _DURATION.match(raw)
    if duration:
        amount, unit = int(duration.group(1)), duration.group(2)
        return current - timedelta(**{_UNITS[unit]: amount})
    try:
        parsed = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError:
        raise UserError(
            f"malformed time {text!r} for {option}: use ISO-8601 such as 2026-11-26T02:00:00Z "
            "or a duration ago such as 30m, 2h, 7d"
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
