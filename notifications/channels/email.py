"""The e-mail channel: Django's mail API (django-anymail in production), one connection a batch.

A source's e-mail may carry an HTML alternative and headers (a digest's
``List-Unsubscribe``): both go with the plain text in one multipart message.

The provider's message id is kept on the delivery, so that a bounce reported later fails
that very row (``notifications.email_bounces``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.mail import EmailMultiAlternatives, get_connection

from notifications.sources import outbox_source

from .base import ChannelError, DeliveryChannel, Outcome

if TYPE_CHECKING:
    from notifications.models import Delivery

logger = logging.getLogger(__name__)


class EmailChannel(DeliveryChannel):
    def __init__(self, connection=None):
        self.connection = connection

    def send(self, delivery: Delivery) -> None:
        content = outbox_source(delivery.message.purpose).email(delivery)
        email = EmailMultiAlternatives(
            subject=content.subject,
            body=content.body,
            to=[delivery.user.email],
            headers=content.headers or None,
            connection=self.connection,
        )
        if content.html:
            email.attach_alternative(content.html, "text/html")
        try:
            email.send()
        except Exception as error:  # providers raise their own types; all are retried
            logger.warning("E-mail delivery %s failed: %s", delivery.pk, error)
            raise ChannelError(str(error), code="email") from error
        status = getattr(email, "anymail_status", None)
        message_id = (status.message_id or None) if status else None
        delivery.provider_message_id = str(message_id)[:64] if message_id else None

    def send_many(self, deliveries: list[Delivery], *, on_outcome: Outcome) -> None:
        self.connection = self.connection or get_connection()
        super().send_many(deliveries, on_outcome=on_outcome)
