"""How the local SMTP sink answers: light on purpose, the ``orderflow`` CLI imports it."""

from __future__ import annotations

import enum


class SinkMode(enum.StrEnum):
    """How the sink answers."""

    ACCEPT = "accept"
    TEMPFAIL = "tempfail"
    REJECT = "reject"
    REFUSE = "refuse"
