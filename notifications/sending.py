"""Sending deliveries: claim rows, hand them to their channel, record each outcome.

Correctness comes from the rows, not from the broker: a batch is claimed by one
conditional UPDATE (queued → sending, tagged with a claim id), so two workers given the
same ids never both send. Each SMS outcome is written back in small chunks as the
requests complete (a killed worker loses a few rows' outcomes, not a batch's). An SMS whose
fate is unknown (the client timed out, or a dead worker left it in ``sending``) stays in
``sending`` until ``notifications.reconciliation`` has asked the provider whether it exists: it
is never sent again blindly. Transient errors go back to ``queued`` for a retry with
back-off (``notifications.tasks``), permanent ones are failed at once.
"""

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Case, CharField, F, Value, When
from django.utils import timezone

from .channels.base import ChannelError, DeliveryChannel
from .channels.email import EmailChannel
from .channels.push import PushChannel
from .channels.sms import SmsChannel
from .fallback import sms_failures_settle
from .models import (
    ENDED_ERROR_CODE,
    EXPIRED_ERROR_CODE,
    Channel,
    Delivery,
    DeliveryStatus,
)
from .sources import outbox_source

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # the default of settings.ALERT_SEND_MAX_ATTEMPTS
# Errors after which the provider may or may not have taken the message: the request left,
# no answer came back. Such rows are reconciled with the provider before any resend.
UNKNOWN_OUTCOME_CODES = frozenset({"timeout", "connection", "exception"})
# SMS outcomes are written every this many rows or seconds, whichever comes first.
RECORD_EVERY_ROWS = 50
RECORD_EVERY_SECONDS = 0.25


@dataclass
class SendOutcome:
    """What one batch did: counts per final status, and the rows that need more work."""

    counts: dict[str, int] = field(default_factory=dict)
    retry: dict[int, list[int]] = field(default_factory=dict)  # attempts → ids to retry
    unknown: list[int] = field(default_factory=list)  # ids to reconcile with the provider
    retry_after: dict[int, int] = field(default_factory=dict)  # id → seconds a service asked
    fallback: list[int] = field(default_factory=list)  # e-mail and push for failed SMS


def max_attempts() -> int:
    """How many times a delivery is tried before it is failed (transient errors only)."""
    return int(getattr(settings, "ALERT_SEND_MAX_ATTEMPTS", MAX_ATTEMPTS))


def deliveries_claim(*, ids: list[int], claim=None) -> list[Delivery]:
    """Move the queued rows among ``ids`` to sending, for this worker only."""
    claim = claim or uuid.uuid4()
    now = timezone.now()
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.QUEUED).update(
        status=DeliveryStatus.SENDING, claim=claim, updated_at=now
    )
    # By primary key: ``claim`` has no index, and a scan of the whole table per batch
    # would cost more than the batch's sending.
    return list(
        Delivery.objects.filter(pk__in=ids, claim=claim, status=DeliveryStatus.SENDING)
        .select_related("user", "message")
        .order_by("pk")
    )


def _outcome(delivery: Delivery, error: ChannelError | None, now) -> None:
    delivery.attempts += 1
    delivery.updated_at = now
    delivery.claim = None
    if error is None:
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = now
        delivery.error_code = ""
    elif error.permanent:
        delivery.status = DeliveryStatus.FAILED
        delivery.permanent_failure = True
        delivery.error_code = (error.code or "")[:32]
    elif delivery.channel == Channel.SMS and error.code in UNKNOWN_OUTCOME_CODES:
        # The provider may have the message: stay in sending until reconciled.
        delivery.status = DeliveryStatus.SENDING
        delivery.error_code = (error.code or "")[:32]
    elif delivery.attempts >= max_attempts():
        delivery.status = DeliveryStatus.FAILED
        delivery.error_code = (error.code or "")[:32]
    else:
        delivery.status = DeliveryStatus.QUEUED  # retried with back-off
        delivery.error_code = (error.code or "")[:32]


def _cost_fields(delivery: Delivery) -> tuple:
    return (delivery.segments, delivery.encoding or "", delivery.price_per_segment)


def _sent_ids_update(sent: list[Delivery], *, claim, now) -> None:
    """One UPDATE for every sent row of a chunk, each with its own provider id and cost."""
    table = connection.ops.quote_name(Delivery._meta.db_table)
    with_ids = [d for d in sent if d.provider_message_id]
    if connection.vendor == "postgresql" and with_ids:
        # UPDATE … FROM unnest(arrays): a tenth of the CPU of the ORM's CASE WHEN per row,
        # and one short statement whatever the number of rows (a VALUES list of as many
        # placeholders was parsed anew by the driver for every chunk).
        rows = [(d.pk, d.provider_message_id, *_cost_fields(d)) for d in with_ids]
        columns = [list(column) for column in zip(*rows, strict=True)]
        claim_sql = "AND d.claim = %s" if claim else ""
        sql = f"""
            UPDATE {table} AS d SET status = 'sent', sent_at = %s, updated_at = %s,
                   claim = NULL, error_code = '', attempts = d.attempts + 1,
                   provider_message_id = v.sid, segments = v.segments,
                   encoding = v.encoding, price_per_segment = v.price
            FROM unnest(%s::bigint[], %s::varchar[], %s::smallint[], %s::varchar[],
                        %s::numeric[]) AS v(id, sid, segments, encoding, price)
            WHERE d.id = v.id {claim_sql}
        """  # noqa: S608 (table name from model metadata, values are parameters)
        params = [now, now, *columns]
        with connection.cursor() as cursor:
            cursor.execute(sql, params + ([claim] if claim else []))
        sent = [d for d in sent if not d.provider_message_id]
    by_cost: dict[tuple, list[Delivery]] = {}
    for delivery in sent:
        by_cost.setdefault(_cost_fields(delivery), []).append(delivery)
    for (segments, encoding, price), group in by_cost.items():
        rows = Delivery.objects.filter(pk__in=[d.pk for d in group])
        if claim:
            rows = rows.filter(claim=claim)
        fields = {
            "status": DeliveryStatus.SENT,
            "sent_at": now,
            "updated_at": now,
            "claim": None,
            "error_code": "",
            "attempts": F("attempts") + 1,
            "segments": segments,
            "encoding": encoding,
            "price_per_segment": price,
        }
        if any(d.provider_message_id for d in group):
            fields["provider_message_id"] = Case(
                *[When(pk=d.pk, then=Value(d.provider_message_id)) for d in group],
                output_field=CharField(),
            )
        rows.update(**fields)


def _record_outcomes(deliveries: list[Delivery], *, claim=None) -> None:
    """Write outcomes in one UPDATE for the sent rows, one per kind of error otherwise.

    With ``claim``, only rows still held by it are written: a row the sweep took back
    meanwhile belongs to whoever holds it now. Expects ``_outcome`` to have counted the
    attempt (``attempts`` goes up by one in the database too).
    """
    if not deliveries:
        return
    now = timezone.now()
    _sent_ids_update(
        [d for d in deliveries if d.status == DeliveryStatus.SENT], claim=claim, now=now
    )
    groups: dict[tuple, list[int]] = {}
    for delivery in deliveries:
        if delivery.status != DeliveryStatus.SENT:
            key = (delivery.status, delivery.error_code, delivery.permanent_failure)
            groups.setdefault(key, []).append(delivery.pk)
    for (status, error_code, permanent), ids in groups.items():
        rows = Delivery.objects.filter(pk__in=ids)
        if claim:
            rows = rows.filter(claim=claim)
        rows.update(
            status=status,
            error_code=error_code,
            permanent_failure=permanent,
            updated_at=now,
            claim=None,
            attempts=F("attempts") + 1,
        )


def _send_rows(channel: DeliveryChannel, rows: list[Delivery], *, claim=None) -> dict[int, int]:
    """Send ``rows`` on ``channel`` and record each outcome; return the delays services
    asked for (delivery id → seconds).

    With ``claim`` (SMS), outcomes are written as they complete, a chunk at a time, so a
    killed worker loses a few rows' outcomes, not a batch's; otherwise once at the end.
    """
    retry_after: dict[int, int] = {}
    pending: list[Delivery] = []
    last_write = time.monotonic()

    def on_outcome(delivery: Delivery, error: ChannelError | None) -> None:
        nonlocal pending, last_write
        _outcome(delivery, error, timezone.now())
        if error is not None and error.retry_after:
            retry_after[delivery.pk] = error.retry_after
        pending.append(delivery)
        if claim is not None and (
            len(pending) >= RECORD_EVERY_ROWS
            or time.monotonic() - last_write >= RECORD_EVERY_SECONDS
        ):
            _record_outcomes(pending, claim=claim)
            pending = []
            last_write = time.monotonic()

    channel.send_many(rows, on_outcome=on_outcome)
    if pending:
        _record_outcomes(pending, claim=claim)
    return retry_after


def deliveries_expire(*, ids: list[int], now=None) -> int:
    """Withdraw the queued SMS and push among ``ids`` whose message is over; return how many.

    An SMS or a notification whose message has expired (``OutboxMessage.expires_at``), or
    whose subject has ended (``ended_at``: the alert was closed), would only mislead,
    however late a retry or a sweep found it: such rows are failed for good with the
    reason (``expired``, ``ended``), which the call list shows. E-mail, read later at
    leisure, is left to go.
    """
    now = now or timezone.now()
    queued = Delivery.objects.filter(
        pk__in=ids, status=DeliveryStatus.QUEUED, channel__in=[Channel.SMS, Channel.PUSH]
    )
    withdrawn = {"status": DeliveryStatus.FAILED, "permanent_failure": True, "updated_at": now}
    expired = queued.filter(message__expires_at__lte=now).update(
        error_code=EXPIRED_ERROR_CODE, **withdrawn
    )
    ended = queued.filter(message__ended_at__isnull=False).update(
        error_code=ENDED_ERROR_CODE, **withdrawn
    )
    return expired + ended


def _prepare(rows: list[Delivery]) -> None:
    by_purpose: dict[str, list[Delivery]] = {}
    for delivery in rows:
        by_purpose.setdefault(delivery.message.purpose, []).append(delivery)
    for purpose, deliveries in by_purpose.items():
        outbox_source(purpose).prepare(deliveries)


def deliveries_send_batch(*, ids: list[int]) -> SendOutcome:
    """Send the deliveries ``ids`` that are still queued; say what became of them.

    Never sends a row twice: only rows this call claimed are sent. Push first (fast and
    free), then SMS, then e-mail over one connection. SMS and push of a message that is
    over are not sent (``deliveries_expire``): first sends, retries and the sweep's resends
    all come through here.
    """
    deliveries_expire(ids=ids)
    claim = uuid.uuid4()
    claimed = deliveries_claim(ids=ids, claim=claim)
    _prepare(claimed)
    push_rows = [d for d in claimed if d.channel == Channel.PUSH]
    sms_rows = [d for d in claimed if d.channel == Channel.SMS]
    email_rows = [d for d in claimed if d.channel == Channel.EMAIL]

    retry_after = _send_rows(PushChannel(), push_rows) if push_rows else {}

    fallback = []
    if sms_rows:
        _send_rows(SmsChannel(), sms_rows, claim=claim)
        fallback = sms_failures_settle(deliveries=sms_rows)  # STOP recorded, other channels

    if email_rows:
        _send_rows(EmailChannel(), email_rows)

    outcome = SendOutcome(retry_after=retry_after, fallback=fallback)
    for delivery in claimed:
        outcome.counts[delivery.status] = outcome.counts.get(delivery.status, 0) + 1
        if delivery.status == DeliveryStatus.QUEUED:
            outcome.retry.setdefault(delivery.attempts, []).append(delivery.pk)
        elif delivery.status == DeliveryStatus.SENDING and delivery.claim is None:
            outcome.unknown.append(delivery.pk)
    return outcome


def deliveries_send(*, ids: list[int]) -> dict:
    """Send the deliveries ``ids`` that are still queued; return counts per outcome."""
    return deliveries_send_batch(ids=ids).counts


def deliveries_stuck(*, now=None, queued_for=None, sending_for=None):
    """Rows a lost task left behind: queued too long, or claimed by a worker that died.

    ``updated_at`` of a queued row is when it was last touched or, for a paced SMS, when
    its batch is due, so rows waiting for their turn are not taken for lost ones. Rows
    held for quiet hours (``not_before`` still ahead) are left alone, except e-mail,
    which is never held.
    """
    now = now or timezone.now()
    if queued_for is None:
        queued_for = timedelta(seconds=settings.ALERT_SWEEP_QUEUED_AFTER)
    if sending_for is None:
        sending_for = timedelta(seconds=settings.ALERT_SWEEP_SENDING_AFTER)
    stuck = Delivery.objects.filter(
        status=DeliveryStatus.QUEUED, updated_at__lt=now - queued_for
    ) | Delivery.objects.filter(status=DeliveryStatus.SENDING, updated_at__lt=now - sending_for)
    return stuck.exclude(message__not_before__gt=now, channel__in=[Channel.SMS, Channel.PUSH])
