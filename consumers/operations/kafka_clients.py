"""An unsubscribed consumer and an admin client started and stopped together.

The dead-letter reader and the watermark reader both need the pair; whatever fails while it
starts closes what had started already.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient


class ConsumerAndAdmin:
    """Base of a reader that owns ``_consumer`` and ``_admin`` (use ``async with``)."""

    def __init__(self, consumer: AIOKafkaConsumer, admin: AIOKafkaAdminClient) -> None:
        self._consumer = consumer
        self._admin = admin

    async def _started(self) -> None:
        """What a reader does once both clients run (nothing by default)."""

    async def __aenter__(self) -> Self:
        await self._admin.start()
        try:
            await self._consumer.start()
            await self._started()
        except BaseException:
            await self._admin.close()
            raise
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            await self._consumer.stop()
        finally:
            await self._admin.close()
