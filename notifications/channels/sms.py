"""The SMS channel: one delivery to one phone, through the configured SMS backend.

Requests run concurrently in one thread pool per worker process (the provider's latency,
not our CPU, is the limit); outcomes are reported in the caller's thread as they complete.
The text is the source's, exactly (``OutboxSource.sms_text``): reconciliation looks it up
at the provider. The validity period follows the message's useful life, and what the SMS
costs (segments, encoding, price per segment now) is set on the delivery when it leaves.
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from notifications.sms.backends import SmsError, sms_backend
from notifications.sms.segments import sms_segments
from notifications.sources import outbox_source

from .base import DeliveryChannel, Outcome

if TYPE_CHECKING:
    from notifications.models import Delivery

logger = logging.getLogger(__name__)

# Twilio drops messages still queued after the validity period: a message late by hours
# does harm, so SMS live as long as the message is useful, 2 h at most, 60 s at least.
SMS_VALIDITY_SECONDS = 2 * 3600
SMS_VALIDITY_MIN_SECONDS = 60


@dataclass
class SmsToSend:
    """What an SMS backend reads of a message (the same fields as the SMS outbox row)."""

    pk: int
    to: str
    body: str
    sender: str
    purpose: str = "alert"
    validity_period: int | None = SMS_VALIDITY_SECONDS
    encoding: str = ""
    segments: int = 0
    provider_message_id: str | None = None


def sms_validity_seconds(*, expires_at, now=None) -> int:
    """The SMS validity period: the message's remaining useful life, within [60 s, 2 h]."""
    now = now or timezone.now()
    remaining = int((expires_at - now).total_seconds()) if expires_at else SMS_VALIDITY_SECONDS
    return max(SMS_VALIDITY_MIN_SECONDS, min(remaining, SMS_VALIDITY_SECONDS))


def sms_price_per_segment() -> Decimal:
    """The price of one segment now (``SMS_PRICE_PER_SEGMENT``, euros), kept on each SMS."""
    return Decimal(str(getattr(settings, "SMS_PRICE_PER_SEGMENT", 0) or 0))


_pool_lock = threading.Lock()
_pool: tuple[int, int, ThreadPoolExecutor] | None = None


def sms_thread_pool() -> ThreadPoolExecutor:
    """One pool per worker process, kept between batches so HTTP connections stay open.

    Created lazily in the process that uses it (a pool inherited through fork has no
    threads), and again when ``SMS_SEND_CONCURRENCY`` changes.
    """
    global _pool
    size = max(1, int(getattr(settings, "SMS_SEND_CONCURRENCY", 16)))
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid() or _pool[1] != size:
            if _pool is not None and _pool[0] == os.getpid():
                _pool[2].shutdown(wait=False)
            _pool = (os.getpid(), size, ThreadPoolExecutor(size, thread_name_prefix="sms"))
        return _pool[2]


class SmsChannel(DeliveryChannel):
    def __init__(self):
        self.backend = sms_backend()  # a misconfiguration raises before anything is claimed
        self.price = sms_price_per_segment()
        self._segments: dict = {}

    def send(self, delivery: Delivery) -> None:
        message = delivery.message
        body = outbox_source(message.purpose).sms_text(delivery)
        segmentation = self._segments.get(body)
        if segmentation is None:
            segmentation = self._segments[body] = sms_segments(body)
        sms = SmsToSend(
            pk=delivery.pk,
            to=str(delivery.user.phone),
            body=body,
            sender=message.sender_name,
            purpose=message.purpose,
            validity_period=sms_validity_seconds(expires_at=message.expires_at),
            encoding=segmentation.encoding,
            segments=segmentation.segments,
        )
        try:
            self.backend.send(sms)
        except SmsError:
            raise
        except Exception as error:  # a backend bug must not leave the row in sending
            logger.exception("SMS backend failed on delivery %s", delivery.pk)
            raise SmsError(f"{type(error).__name__}: {error}", code="exception") from error
        delivery.provider_message_id = sms.provider_message_id or None
        delivery.segments = segmentation.segments
        delivery.encoding = segmentation.encoding
        delivery.price_per_segment = self.price

    def _send_one(self, delivery: Delivery) -> SmsError | None:
        try:
            self.send(delivery)
        except SmsError as error:
            return error
        return None

    def send_many(self, deliveries: list[Delivery], *, on_outcome: Outcome) -> None:
        pool = sms_thread_pool()
        futures = {pool.submit(self._send_one, delivery): delivery for delivery in deliveries}
        for future in as_completed(futures):
            on_outcome(futures[future], future.result())
