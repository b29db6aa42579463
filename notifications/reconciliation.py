"""Settling SMS deliveries whose outcome is unknown, by asking the provider first.

A row is in that state when the client timed out or lost the connection after sending the
request (Twilio may well have created the message), or when a worker died between the
provider's answer and the write of the outcome. Sending it again blindly would give the
recipient the alert twice; dropping it could leave them without. So the provider's own
message log decides: Twilio's ``GET …/Messages.json?To=…``, read with the real client,
is searched for a message to that number with exactly our text, created since the
delivery was. Found: the row is sent, with that SID. Not found: the row goes back to the
queue. Provider unreachable: the row stays unknown and is asked about again later.

The lookup filters on ``To`` only, not on ``DateSent``: a message still waiting in
Twilio's queue (throughput limit) has no ``date_sent`` yet, and a date filter would miss
exactly the messages we must not send twice. Creation times are compared on our side.
"""

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from notifications.sms.backends import (
    DEFAULT_TWILIO_API_BASE_URL,
    DEFAULT_TWILIO_HTTP_TIMEOUT,
    _twilio_client,
    sms_backend_name,
)

from .channels.sms import sms_price_per_segment, sms_thread_pool
from .models import Channel, Delivery, DeliveryStatus
from .sending import max_attempts
from .sms.segments import sms_segments
from .sources import outbox_source

logger = logging.getLogger(__name__)

# Provider and server clocks differ a little: look a bit before the row was written.
CLOCK_MARGIN = timedelta(minutes=2)
# How far back in one number's history to look (most recent first).
LOOKUP_LIMIT = 50


class ProviderLookupError(Exception):
    """The provider could not be asked; the outcome stays unknown."""


@dataclass
class ReconcileOutcome:
    sent: list[int] = field(default_factory=list)  # found at the provider
    requeued: list[int] = field(default_factory=list)  # not found: to send again
    failed: list[int] = field(default_factory=list)  # not found, no attempt left
    unresolved: list[int] = field(default_factory=list)  # provider could not be asked


def sms_provider_message_sid(*, to: str, body: str, since: datetime, exclude=()) -> str | None:
    """The SID of a message the provider holds for ``to`` with ``body`` since ``since``.

    Raises ``ProviderLookupError`` when the provider does not answer. Backends without a
    provider log (console, outbox) never hold anything: None.
    """
    if sms_backend_name() != "twilio":
        return None
    client = _twilio_client(
        account_sid=getattr(settings, "TWILIO_ACCOUNT_SID", ""),
        auth_token=getattr(settings, "TWILIO_AUTH_TOKEN", ""),
        base_url=getattr(settings, "TWILIO_API_BASE_URL", "") or DEFAULT_TWILIO_API_BASE_URL,
        timeout=float(getattr(settings, "TWILIO_HTTP_TIMEOUT", DEFAULT_TWILIO_HTTP_TIMEOUT)),
    )
    try:
        messages = client.api.v2010.account.messages.list(to=to, limit=LOOKUP_LIMIT)
    except Exception as error:  # twilio and requests raise several types; all mean "ask later"
        raise ProviderLookupError(f"{type(error).__name__}: {error}") from error
    for message in messages:
        created = message.date_created
        recent = created is None or created >= since
        if message.body == body and recent and message.sid not in exclude:
            return message.sid
    return None


def _lookup(delivery: Delivery) -> str | ProviderLookupError | None:
    try:
        return sms_provider_message_sid(
            to=str(delivery.user.phone),
            body=outbox_source(delivery.message.purpose).sms_text(delivery),
            since=delivery.created_at - CLOCK_MARGIN,
        )
    except ProviderLookupError as error:
        return error


def deliveries_reconcile(*, ids: list[int], now=None) -> ReconcileOutcome:
    """Settle the rows among ``ids`` whose outcome is unknown; say what became of them.

    Takes only rows in ``sending`` that nobody holds (a timed-out request) or whose holder
    has been silent longer than ``ALERT_SWEEP_SENDING_AFTER`` (a dead worker), under a
    claim of its own, so two reconcilers never settle the same row.
    """
    now = now or timezone.now()
    claim = uuid.uuid4()
    silent_since = now - timedelta(seconds=settings.ALERT_SWEEP_SENDING_AFTER)
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING).filter(
        Q(claim=None) | Q(updated_at__lt=silent_since)
    ).update(claim=claim, updated_at=now)
    rows = list(
        Delivery.objects.filter(pk__in=ids, claim=claim, status=DeliveryStatus.SENDING)
        .select_related("user", "message")
        .order_by("pk")
    )
    sms_rows = [d for d in rows if d.channel == Channel.SMS]
    by_purpose: dict[str, list[Delivery]] = {}
    for delivery in sms_rows:
        by_purpose.setdefault(delivery.message.purpose, []).append(delivery)
    for purpose, deliveries in by_purpose.items():
        outbox_source(purpose).prepare(deliveries)
    results = dict(zip(sms_rows, sms_thread_pool().map(_lookup, sms_rows), strict=True))
    known = set(
        Delivery.objects.filter(
            provider_message_id__in=[r for r in results.values() if isinstance(r, str)]
        ).values_list("provider_message_id", flat=True)
    )

    outcome = ReconcileOutcome()
    now = timezone.now()
    for delivery in rows:
        found = results.get(delivery)
        if isinstance(found, ProviderLookupError):
            logger.warning("Delivery %s: provider lookup failed: %s", delivery.pk, found)
            outcome.unresolved.append(delivery.pk)
            Delivery.objects.filter(pk=delivery.pk, claim=claim).update(claim=None)
        elif found and found not in known:
            outcome.sent.append(delivery.pk)
            known.add(found)
            segmentation = sms_segments(outbox_source(delivery.message.purpose).sms_text(delivery))
            Delivery.objects.filter(pk=delivery.pk, claim=claim).update(
                status=DeliveryStatus.SENT,
                provider_message_id=found,
                segments=segmentation.segments,
                encoding=segmentation.encoding,
                price_per_segment=sms_price_per_segment(),
                sent_at=now,
                error_code="",
                claim=None,
                updated_at=now,
            )
        elif delivery.attempts >= max_attempts():
            outcome.failed.append(delivery.pk)
        else:
            outcome.requeued.append(delivery.pk)
    if outcome.failed:
        Delivery.objects.filter(pk__in=outcome.failed, claim=claim).update(
            status=DeliveryStatus.FAILED, claim=None, updated_at=now
        )
    if outcome.requeued:
        Delivery.objects.filter(pk__in=outcome.requeued, claim=claim).update(
            status=DeliveryStatus.QUEUED, claim=None, updated_at=now
        )
    return outcome
