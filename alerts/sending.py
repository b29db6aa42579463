"""Sending alert deliveries: claim rows, hand them to the channel, record each outcome.

Correctness comes from the rows, not from the broker: a batch is claimed by one
conditional UPDATE (queued → sending, tagged with a claim id), so two workers given the
same ids never both send; outcomes are written back in bulk; rows a dead worker left in
``sending`` are settled by the sweep.
"""

import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone

from notifications.sms.backends import SmsError, sms_backend
from notifications.sms.segments import sms_segments

from .models import Channel, Delivery, DeliveryStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Twilio drops messages still queued after the validity period: an alert late by hours
# does harm, so SMS live as long as the alert is useful, 2 h at most.
SMS_VALIDITY_SECONDS = 2 * 3600


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


def deliveries_claim(*, ids: list[int]) -> list[Delivery]:
    """Move the queued rows among ``ids`` to sending, for this worker only."""
    claim = uuid.uuid4()
    now = timezone.now()
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.QUEUED).update(
        status=DeliveryStatus.SENDING, claim=claim, updated_at=now
    )
    return list(
        Delivery.objects.filter(claim=claim, status=DeliveryStatus.SENDING)
        .select_related("user", "message__alert__commune")
        .order_by("pk")
    )


def _text(delivery: Delivery) -> str:
    message = delivery.message
    if delivery.restricted and message.restricted_text:
        return message.restricted_text
    return message.text


def _record(deliveries: list[Delivery]) -> None:
    Delivery.objects.bulk_update(
        deliveries,
        [
            "status",
            "attempts",
            "provider_message_id",
            "error_code",
            "permanent_failure",
            "sent_at",
            "updated_at",
            "claim",
        ],
        batch_size=500,
    )


def _outcome(delivery: Delivery, error: SmsError | None, now) -> None:
    delivery.attempts += 1
    delivery.updated_at = now
    delivery.claim = None
    if error is None:
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = now
        delivery.error_code = ""
    elif error.permanent or delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.permanent_failure = error.permanent
        delivery.error_code = (error.code or "")[:32]
    else:
        delivery.status = DeliveryStatus.QUEUED  # the sweep or the retry picks it up again
        delivery.error_code = (error.code or "")[:32]


def _send_sms(delivery: Delivery, backend) -> SmsError | None:
    commune = delivery.message.alert.commune
    body = _text(delivery)
    segmentation = sms_segments(body)
    sms = SmsToSend(
        pk=delivery.pk,
        to=str(delivery.user.phone),
        body=body,
        sender=commune.sms_sender_name,
        encoding=segmentation.encoding,
        segments=segmentation.segments,
    )
    try:
        backend.send(sms)
    except SmsError as error:
        return error
    except Exception as error:  # a backend bug must not leave the row in sending
        logger.exception("SMS backend failed on delivery %s", delivery.pk)
        return SmsError(f"{type(error).__name__}: {error}", code="exception")
    delivery.provider_message_id = sms.provider_message_id or None
    return None


def deliveries_send(*, ids: list[int]) -> dict:
    """Send the deliveries ``ids`` that are still queued; return counts per outcome.

    SMS go out concurrently (the provider's latency, not our CPU, is the limit); e-mails
    share one connection. Never sends a row twice: only rows this call claimed are sent.
    """
    claimed = deliveries_claim(ids=ids)
    sms_rows = [d for d in claimed if d.channel == Channel.SMS]
    email_rows = [d for d in claimed if d.channel == Channel.EMAIL]

    if sms_rows:
        backend = sms_backend()
        workers = max(1, int(getattr(settings, "SMS_SEND_CONCURRENCY", 16)))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            errors = list(pool.map(lambda d: _send_sms(d, backend), sms_rows))
        now = timezone.now()
        for delivery, error in zip(sms_rows, errors, strict=True):
            _outcome(delivery, error, now)

    if email_rows:
        _send_emails(email_rows)

    _record(sms_rows + email_rows)
    counts: dict[str, int] = {}
    for delivery in claimed:
        counts[delivery.status] = counts.get(delivery.status, 0) + 1
    return counts


def _send_emails(rows: list[Delivery]) -> None:
    connection = get_connection()
    now = timezone.now()
    for delivery in rows:
        alert = delivery.message.alert
        email = EmailMessage(
            subject=f"[{alert.commune.name}] {delivery.message.get_kind_display()} : "
            f"{alert.get_category_display()}",
            body=_text(delivery),
            to=[delivery.user.email],
            connection=connection,
        )
        try:
            email.send()
        except Exception as error:  # providers raise their own types; all are retried
            logger.warning("E-mail delivery %s failed: %s", delivery.pk, error)
            _outcome(delivery, SmsError(str(error), code="email"), now)
        else:
            _outcome(delivery, None, now)


def deliveries_stuck(
    *, now=None, queued_for=timedelta(minutes=2), sending_for=timedelta(minutes=10)
):
    """Rows a lost task left behind: queued too long, or claimed by a worker that died."""
    now = now or timezone.now()
    return Delivery.objects.filter(
        status=DeliveryStatus.QUEUED, updated_at__lt=now - queued_for
    ) | Delivery.objects.filter(status=DeliveryStatus.SENDING, updated_at__lt=now - sending_for)
