"""The topics a consumer group owns: its retry tiers and its dead-letter topic."""

from __future__ import annotations

import re

# Default delays of the retry tiers, in seconds: tier n waits DEFAULT_TIER_DELAYS[n - 1].
DEFAULT_TIER_DELAYS: tuple[float, ...] = (5.0, 60.0, 600.0)


def retry_topic(group: str, tier: int) -> str:
    """The retry topic of ``group`` for ``tier`` (1-based): ``<group>.retry.<tier>``."""
    if tier < 1:
        raise ValueError(f"retry tiers start at 1, not {tier}")
    return f"{group}.retry.{tier}"


def dead_letter_topic(group: str) -> str:
    """The dead-letter topic of ``group``: ``<group>.dlq``."""
    return f"{group}.dlq"


def retry_topics(group: str, tiers: int) -> list[str]:
    """Every retry topic of ``group`` with ``tiers`` tiers, in tier order."""
    return [retry_topic(group, n) for n in range(1, tiers + 1)]


def tier_of(group: str, topic: str) -> int:
    """The retry tier ``topic`` belongs to for ``group``; 0 for a main topic."""
    match = re.fullmatch(re.escape(group) + r"\.retry\.(\d+)", topic)
    return int(match.group(1)) if match else 0
