"""What the outbox asks of those who send through it, registered in their ``ready()``.

The outbox knows recipients, addresses and channels, never a sender's own rules: who an
alert reaches, how an official message is worded in the member's language, which page a
notification opens. Each kind of message (``OutboxMessage.purpose``) has one registered
``OutboxSource`` that answers those questions; the outbox calls it, and imports nothing of
the apps above it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from .models import Delivery, OutboxMessage
    from .push import PushNotification


@dataclass(frozen=True)
class EmailContent:
    """An e-mail as sent: plain text, an optional HTML alternative and extra headers
    (``List-Unsubscribe``…)."""

    subject: str
    body: str
    html: str = ""
    headers: dict[str, str] = field(default_factory=dict)


class OutboxSource:
    """One kind of message: its audience and its wording on each channel.

    ``audience_sql`` is the one definition of who the message reaches: a SELECT of one row
    per user with the columns ``user_id``, ``restricted`` (1: gets ``restricted_text``) and
    ``sms_ok``, ``email_ok``, ``push_ok`` (1: reachable and willing there; build them with
    ``notifications.reachability``). The fan-out inserts the deliveries from it in one
    statement. ``prepare`` is called once per batch before the channel methods, to load
    in bulk what they read.
    """

    purpose: str = ""
    # Messages that come in numbers, one recipient each (notices): their fan-outs wait
    # their turn behind alerts (``notifications.tasks.fanout_priority``).
    bulk: bool = False

    def in_bulk(self, message: OutboxMessage) -> bool:
        """Whether ``message`` waits its turn with the messages that come in numbers
        (``bulk``); a source may say so message by message."""
        return self.bulk

    def audience_sql(self, *, message: OutboxMessage) -> tuple[str, list]:
        raise NotImplementedError

    def prepare(self, deliveries: list[Delivery]) -> None:
        """Load what ``sms_text``, ``email`` and ``push`` need for ``deliveries``."""

    def sms_text(self, delivery: Delivery) -> str:
        """The SMS exactly as sent: reconciliation with the provider compares it."""
        message = delivery.message
        if delivery.restricted and message.restricted_text:
            return message.restricted_text
        return message.text

    def email(self, delivery: Delivery) -> EmailContent:
        raise NotImplementedError

    def push(self, delivery: Delivery) -> PushNotification:
        raise NotImplementedError

    def falls_back(self, delivery: Delivery) -> bool:
        """Whether an SMS that failed for good is sent once by e-mail and push instead."""
        return True


_sources: dict[str, OutboxSource] = {}


def outbox_source_register(source: OutboxSource) -> OutboxSource:
    """Register ``source`` for its purpose (from an ``AppConfig.ready``); idempotent."""
    if not source.purpose:
        raise ImproperlyConfigured(f"{type(source).__name__} has no purpose")
    _sources[source.purpose] = source
    return source


def outbox_source(purpose: str) -> OutboxSource:
    try:
        return _sources[purpose]
    except KeyError:
        raise ImproperlyConfigured(f"no outbox source registered for {purpose!r}") from None
