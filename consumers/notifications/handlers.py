"""Notification handlers: record the email (pending) in the consumer's transaction.

Business logic only; the runtime owns dedupe, retries and offsets. Sending happens in
:mod:`consumers.notifications.delivery`, after this transaction committed.
"""

from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert

from consumers.notifications.orders import order_facts
from consumers.notifications.recipients import RecipientDirectory
from consumers.notifications.tables import notifications
from consumers.notifications.templates import TEMPLATES, Draft
from consumers.runtime import Handler, MessageContext
from events import IntegrationEvent


def message_id_for(event_id: uuid.UUID, kind: str) -> str:
    """A stable RFC 5322 Message-ID derived from the event id, so a resend is recognisable."""
    return f"<{kind}.{event_id}@orderflow>"


def record_notification(recipients: RecipientDirectory) -> Handler:
    """The handler recording the email of any event with a template."""

    async def record(event: IntegrationEvent, ctx: MessageContext) -> None:
        order_id = getattr(event, "order_id", None)
        facts = await order_facts(ctx.session, order_id) if order_id else None
        draft = TEMPLATES[type(event)](event, facts)
        await record_draft(ctx, draft, await recipients.email_for(draft.customer_id, ctx.session))

    return record


async def record_draft(ctx: MessageContext, draft: Draft, recipient: str) -> None:
    """Insert the pending notification; a second insert for the same email does nothing."""
    await ctx.session.execute(
        insert(notifications)
        .values(
            message_id=message_id_for(ctx.envelope.event_id, draft.kind),
            event_id=ctx.envelope.event_id,
            kind=draft.kind,
            recipient=recipient,
            subject=draft.subject,
            body=draft.body,
            order_id=draft.order_id,
            correlation_id=ctx.envelope.correlation_id,
        )
        .on_conflict_do_nothing()
    )
