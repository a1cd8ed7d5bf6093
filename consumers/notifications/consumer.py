"""The notifications consumer group: one handler and one delivery effect per email template."""

from __future__ import annotations

from consumers.notifications.delivery import deliver_notification
from consumers.notifications.handlers import record_notification
from consumers.notifications.mailer import Mailer
from consumers.notifications.orders import remember_order
from consumers.notifications.recipients import RecipientDirectory
from consumers.notifications.resets import ResetLinks
from consumers.notifications.sending import MARK_PATIENCE_SECONDS
from consumers.notifications.templates import TEMPLATES
from consumers.runtime import Consumer, Handler
from events import IntegrationEvent, registry
from events.schemas import OrderPlaced
from events.schemas.identity import PasswordResetRequested

GROUP = "notifications"


def notifications_consumer(
    mailer: Mailer,
    recipients: RecipientDirectory,
    reset_links: ResetLinks | None = None,
    *,
    group: str = GROUP,
    mark_patience_seconds: float = MARK_PATIENCE_SECONDS,
) -> Consumer:
    """The notifications group; subscribes to the topics of every event with a template.

    Password-reset emails are subscribed to only with a ``reset_links`` source: without one
    they could never be sent, and would only fill the dead-letter topic.
    """
    record = record_notification(recipients)
    deliver = deliver_notification(
        mailer,
        reset_links,
        group=group,
        mark_patience_seconds=mark_patience_seconds,
    )
    emails = [e for e in TEMPLATES if reset_links is not None or e is not PasswordResetRequested]
    handlers: dict[type[IntegrationEvent], Handler] = {OrderPlaced: remember_order}
    handlers.update(dict.fromkeys(emails, record))
    topics = tuple(sorted({registry.spec_for(event).topic for event in handlers}))
    return Consumer(
        name=group, topics=topics, handlers=handlers, effects=dict.fromkeys(emails, deliver)
    )
