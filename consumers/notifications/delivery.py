"""Delivering a recorded notification: the runtime's after-commit effect.

The row was committed (``pending``) before this runs, so a crash at any point leaves a record,
and every attempt carries the same Message-ID: a crash between the SMTP answer and marking the
row ``sent`` resends the SAME message (receivers and our sink can tell), it never sends a
different one. A ``sent`` row is never sent again (a redelivered or replayed event).
"""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from consumers.notifications.mailer import Mailer
from consumers.notifications.resets import RESET_LINK, ResetLinks
from consumers.notifications.tables import notifications
from consumers.runtime import Effect, EffectContext, PermanentError
from events import IntegrationEvent

Sessions = async_sessionmaker[AsyncSession]
log = structlog.get_logger("orderflow.consumers.notifications")


def deliver_notification(mailer: Mailer, reset_links: ResetLinks | None = None) -> Effect:
    """The effect sending the emails recorded for an event, unless already sent."""

    async def deliver(event: IntegrationEvent, ctx: EffectContext) -> None:
        for row in await _unsent(ctx.sessions, ctx.envelope.event_id):
            body = await _fill_in(row["body"], event, ctx.sessions, reset_links)
            await _send(ctx.sessions, mailer, {**row, "body": body})
            # Ids only: the address and the body are personal data.
            log.info(
                "email_sent",
                kind=row["kind"],
                message_id=row["message_id"],
                event_id=str(ctx.envelope.event_id),
                correlation_id=ctx.envelope.correlation_id,
            )

    return deliver


async def _fill_in(
    body: str, event: IntegrationEvent, sessions: Sessions, reset_links: ResetLinks | None
) -> str:
    """Put the secrets a body refers to in place, fetched now (they are never stored)."""
    if RESET_LINK not in body:
        return body
    reset_id = getattr(event, "reset_id", None)
    if reset_links is None or reset_id is None:
        raise PermanentError("this email needs a reset link, and no link source is configured")
    return body.replace(RESET_LINK, await reset_links.link_for(reset_id, sessions))


async def _unsent(sessions: Sessions, event_id: uuid.UUID) -> list[dict[str, Any]]:
    """The notifications recorded for ``event_id`` and not sent yet."""
    query = select(notifications).where(
        notifications.c.event_id == event_id, notifications.c.status != "sent"
    )
    async with sessions() as session:
        return [dict(row) for row in (await session.execute(query)).mappings()]


async def _send(sessions: Sessions, mailer: Mailer, row: dict[str, Any]) -> None:
    message_id = row["message_id"]
    try:
        await mailer.send(_message(row, mailer.sender))
    except Exception as error:
        failed = isinstance(error, PermanentError)
        await _mark(sessions, message_id, "failed" if failed else "pending", error)
        raise
    await _mark(sessions, message_id, "sent", None)


def _message(row: dict[str, Any], sender: str) -> EmailMessage:
    message = EmailMessage()
    message["Message-ID"] = row["message_id"]
    message["From"] = sender
    message["To"] = row["recipient"]
    message["Subject"] = row["subject"]
    message["Date"] = formatdate(usegmt=True)
    message["X-Orderflow-Event-Id"] = str(row["event_id"])
    message.set_content(row["body"])
    return message


async def _mark(
    sessions: Sessions, message_id: str, status: str, error: BaseException | None
) -> None:
    values: dict[str, Any] = {
        "status": status,
        "attempts": notifications.c.attempts + 1,
        "last_attempt_at": func.now(),
        "last_error": f"{type(error).__name__}: {error}"[:1000] if error else None,
    }
    if status == "sent":
        values["sent_at"] = func.now()
    async with sessions.begin() as session:
        await session.execute(
            update(notifications).where(notifications.c.message_id == message_id).values(values)
        )
