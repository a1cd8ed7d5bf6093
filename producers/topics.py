"""Explicit topic creation: topics are never auto-created with broker defaults."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from foundation.kafka import KafkaConnection


@dataclass(frozen=True)
class TopicSpec:
    """A topic to create with its partitions, replication and configs."""

    name: str
    partitions: int = 3
    replication: int = 1
    configs: dict[str, str] = field(default_factory=dict)


async def ensure_topics(connection: KafkaConnection, topics: Iterable[TopicSpec]) -> list[str]:
    """Create the missing ``topics``; returns the names created now."""
    wanted = {t.name: t for t in topics}
    admin = AIOKafkaAdminClient(**connection.client_options())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for name, t in wanted.items() if name not in existing]
        if not missing:
            return []
        new = [
            NewTopic(t.name, t.partitions, t.replication, topic_configs=t.configs) for t in missing
        ]
        with contextlib.suppress(TopicAlreadyExistsError):  # another process was first
            await admin.create_topics(new)
        return [t.name for t in missing]
    finally:
        await admin.close()
