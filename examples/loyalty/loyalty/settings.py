"""Configuration from the environment (``LOYALTY_*``)."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """Where loyalty reads from and writes to."""

    kafka_bootstrap_servers: str
    database_url: str
    group_id: str = "loyalty"
    topic_prefix: str = ""

    @classmethod
    def from_env(cls) -> Settings:
        """``LOYALTY_KAFKA_BOOTSTRAP_SERVERS`` and ``LOYALTY_DATABASE_URL`` (required),
        ``LOYALTY_GROUP_ID`` and ``LOYALTY_TOPIC_PREFIX`` (the deployment's topic prefix)."""
        return cls(
            kafka_bootstrap_servers=os.environ["LOYALTY_KAFKA_BOOTSTRAP_SERVERS"],
            database_url=os.environ["LOYALTY_DATABASE_URL"],
            group_id=os.environ.get("LOYALTY_GROUP_ID", "loyalty"),
            topic_prefix=os.environ.get("LOYALTY_TOPIC_PREFIX", ""),
        )
