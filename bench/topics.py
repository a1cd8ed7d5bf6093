"""Benchmarks delete the topics they created: a shared broker keeps every topic, and tools that
read all of them (``orderflow dlq ls`` without a group) slow down with each one left behind."""

from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient

from foundation.kafka import KafkaConnection


async def delete_topics(connection: KafkaConnection, *prefixes: str) -> None:
    """Delete every topic whose name starts with one of ``prefixes``."""
    admin = AIOKafkaAdminClient(**connection.client_options())
    await admin.start()
    try:
        names = [t for t in await admin.list_topics() if t.startswith(prefixes)]
        if names:
            await admin.delete_topics(names)
    finally:
        await admin.close()
