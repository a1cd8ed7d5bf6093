"""The notifications consumer: emails customers about their orders and their account."""

from consumers.notifications.consumer import GROUP, notifications_consumer
from consumers.notifications.handlers import message_id_for
from consumers.notifications.mailer import (
    Mailer,
    MessageRejected,
    RecipientRejected,
    SmtpConfig,
    SmtpMailer,
    SmtpUnavailable,
)
from consumers.notifications.orders import OrderFacts, OrderNotKnownYet, remember_order
from consumers.notifications.recipients import IdentityDirectory, RecipientDirectory
from consumers.notifications.resets import RESET_LINK, ResetLinks
from consumers.notifications.tables import metadata, notifications
from consumers.notifications.templates import TEMPLATES, Draft, template

__all__ = [
    "GROUP",
    "RESET_LINK",
    "TEMPLATES",
    "Draft",
    "IdentityDirectory",
    "Mailer",
    "MessageRejected",
    "OrderFacts",
    "OrderNotKnownYet",
    "RecipientDirectory",
    "RecipientRejected",
    "ResetLinks",
    "SmtpConfig",
    "SmtpMailer",
    "SmtpUnavailable",
    "message_id_for",
    "metadata",
    "notifications",
    "notifications_consumer",
    "remember_order",
    "template",
]
