"""The FastStream application: ``python -m loyalty``."""

from __future__ import annotations

import asyncio
import logging

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream import ContextRepo, FastStream
from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from loyalty.handlers import build_router
from loyalty.settings import Settings
from loyalty.tables import create_schema


def create_app(settings: Settings) -> FastStream:
    """Loyalty on ``settings``' broker and database."""
    router = build_router(settings.group_id, settings.topic_prefix)
    broker = KafkaBroker(settings.kafka_bootstrap_servers)
    broker.include_router(router.kafka)
    app = FastStream(broker)
    engine = create_async_engine(settings.database_url, pool_size=2)

    @app.on_startup
    async def prepare(context: ContextRepo) -> None:
        async with engine.begin() as connection:
            await create_schema(connection)
        await _ensure_topic(settings.kafka_bootstrap_servers, router.dead_letter_topic)
        context.set_global("sessions", async_sessionmaker(engine, expire_on_commit=False))

    @app.after_shutdown
    async def close() -> None:
        await engine.dispose()

    return app


async def _ensure_topic(bootstrap_servers: str, topic: str) -> None:
    """The dead-letter topic must exist before the first record needs it."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    except TopicAlreadyExistsError:
        pass
    finally:
        await admin.close()


def main() -> None:
    """Run until SIGINT or SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(create_app(Settings.from_env()).run())
