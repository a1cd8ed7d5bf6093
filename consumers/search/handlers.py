"""The search consumer's handler: apply the event to the live index, version-guarded."""

from __future__ import annotations

from consumers.runtime import MessageContext
from consumers.search.index import LIVE
from events import IntegrationEvent


async def index_event(event: IntegrationEvent, ctx: MessageContext) -> None:
    """Upsert what ``event`` says about its product or order (stale events change nothing)."""
    await LIVE.apply(ctx.session, event, ctx.envelope.aggregate_version)
