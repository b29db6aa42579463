"""Sending alert deliveries: claim rows, hand them to the channel, record each outcome.

Correctness comes from the rows, not from the broker: a batch is claimed by one
conditional UPDATE (queued → sending, tagged with a claim id), so two workers given the
same ids never both send. Each SMS outcome is written back in small chunks as the
requests complete (a killed worker loses a few rows' outcomes, not a batch's). An SMS whose
fate is unknown (the client timed out, or a dead worker left it in ``sending``) stays in
``sending`` until ``alerts.reconciliation`` has asked the provider whether it exists: it
is never sent again blindly. Transient errors go back to ``queued`` for a retry with
back-off (``alerts.tasks``), permanent ones are failed at once.
"""

import logging
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection
from django.db.models import Case, CharField, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import PushSubscription
from notifications.push import PushJob, PushNotification, push_jobs_send
from notifications.sms.backends import SmsError, sms_backend
from notifications.sms.segments import sms_segments

from .fallback import sms_failures_settle
from .models import (
    ENDED_ERROR_CODE,
    EXPIRED_ERROR_CODE,
    AlertMessage,
    Channel,
    Delivery,
    DeliveryStatus,
)
from .services import alert_sms_stop_mention

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # the default of settings.ALERT_SEND_MAX_ATTEMPTS
# Twilio drops messages still queued after the validity period: an alert late by hours
# does harm, so SMS live as long as the alert is useful, 2 h at most, 60 s at least.
SMS_VALIDITY_SECONDS = 2 * 3600
SMS_VALIDITY_MIN_SECONDS = 60
# Errors after which the provider may or may not have taken the message: the request left,
# no answer came back. Such rows are reconciled with the provider before any resend.
UNKNOWN_OUTCOME_CODES = frozenset({"timeout", "connection", "exception"})
# SMS outcomes are written every this many rows or seconds, whichever comes first.
RECORD_EVERY_ROWS = 50
RECORD_EVERY_SECONDS = 0.25


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


def sms_validity_seconds(*, expires_at, now=None) -> int:
    """The SMS validity period: the alert's remaining useful life, within [60 s, 2 h]."""
    now = now or timezone.now()
    remaining = int((expires_at - now).total_seconds()) if expires_at else SMS_VALIDITY_SECONDS
    return max(SMS_VALIDITY_MIN_SECONDS, min(remaining, SMS_VALIDITY_SECONDS))


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
        .select_related("user", "message__alert__commune")
        .order_by("pk")
    )


def _text(delivery: Delivery) -> str:
    message = delivery.message
    if delivery.restricted and message.restricted_text:
        return message.restricted_text
    return message.text


def _reader_text(delivery: Delivery) -> str:
    """The text for e-mail and push: the SMS wording without its STOP mention."""
    return _text(delivery).removesuffix(alert_sms_stop_mention())


def _record(deliveries: list[Delivery]) -> None:
    _record_outcomes(deliveries)


def _outcome(delivery: Delivery, error: SmsError | None, now) -> None:
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


def _sent_ids_update(sent: list[Delivery], *, claim, now) -> None:
    """One UPDATE for every sent row of a chunk, each with its own provider id."""
    table = connection.ops.quote_name(Delivery._meta.db_table)
    with_ids = [d for d in sent if d.provider_message_id]
    if connection.vendor == "postgresql" and with_ids:
        # UPDATE … FROM (VALUES …): a tenth of the CPU of the ORM's CASE WHEN per row.
        values = ", ".join(["(%s::bigint, %s::varchar)"] * len(with_ids))
        params = [now, now]
        for delivery in with_ids:
            params += [delivery.pk, delivery.provider_message_id]
        claim_sql = "AND d.claim = %s" if claim else ""
        sql = f"""
            UPDATE {table} AS d SET status = 'sent', sent_at = %s, updated_at = %s,
                   claim = NULL, error_code = '', attempts = d.attempts + 1,
                   provider_message_id = v.sid
            FROM (VALUES {values}) AS v(id, sid)
            WHERE d.id = v.id {claim_sql}
        """  # noqa: S608 (table name from model metadata, values are parameters)
        with connection.cursor() as cursor:
            cursor.execute(sql, params + ([claim] if claim else []))
        sent = [d for d in sent if not d.provider_message_id]
    if not sent:
        return
    rows = Delivery.objects.filter(pk__in=[d.pk for d in sent])
    if claim:
        rows = rows.filter(claim=claim)
    fields = {
        "status": DeliveryStatus.SENT,
        "sent_at": now,
        "updated_at": now,
        "claim": None,
        "error_code": "",
        "attempts": F("attempts") + 1,
    }
    if any(d.provider_message_id for d in sent):
        fields["provider_message_id"] = Case(
            *[When(pk=d.pk, then=Value(d.provider_message_id)) for d in sent],
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


def _send_sms(delivery: Delivery, backend, texts: dict) -> SmsError | None:
    message = delivery.message
    alert = message.alert
    body = _text(delivery)
    segmentation = texts.get(body)
    if segmentation is None:
        segmentation = texts[body] = sms_segments(body)
    sms = SmsToSend(
        pk=delivery.pk,
        to=str(delivery.user.phone),
        body=body,
        sender=alert.commune.sms_sender_name,
        validity_period=sms_validity_seconds(expires_at=alert.expires_at),
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


def _send_sms_rows(rows: list[Delivery], *, claim) -> None:
    """Send concurrently (the provider's latency, not our CPU, is the limit) and write the
    outcomes as they complete, a chunk at a time."""
    backend = sms_backend()
    texts: dict = {}
    pool = sms_thread_pool()
    futures = {pool.submit(_send_sms, delivery, backend, texts): delivery for delivery in rows}
    pending: list[Delivery] = []
    last_write = time.monotonic()
    for future in as_completed(futures):
        delivery = futures[future]
        _outcome(delivery, future.result(), timezone.now())
        pending.append(delivery)
        if (
            len(pending) >= RECORD_EVERY_ROWS
            or time.monotonic() - last_write >= RECORD_EVERY_SECONDS
        ):
            _record_outcomes(pending, claim=claim)
            pending = []
            last_write = time.monotonic()
    if pending:
        _record_outcomes(pending, claim=claim)


def deliveries_expire(*, ids: list[int], now=None) -> int:
    """Withdraw the queued SMS and push among ``ids`` whose alert is over; return how many.

    An SMS or a notification about an alert that has expired, or (for the alert itself and
    its follow-ups) been closed, would only mislead, however late a retry or a sweep found
    it: such rows are failed for good with the reason (``expired``, ``ended``), which the
    call list shows. The closing message still goes after the end, and a correction
    whenever it is due (it withdraws what people received). E-mail, read later at leisure,
    is left to go.
    """
    now = now or timezone.now()
    queued = Delivery.objects.filter(
        pk__in=ids, status=DeliveryStatus.QUEUED, channel__in=[Channel.SMS, Channel.PUSH]
    ).exclude(message__kind=AlertMessage.Kind.CORRECTION)
    withdrawn = {"status": DeliveryStatus.FAILED, "permanent_failure": True, "updated_at": now}
    expired = queued.filter(message__alert__expires_at__lte=now).update(
        error_code=EXPIRED_ERROR_CODE, **withdrawn
    )
    ended = queued.filter(
        message__alert__closed_at__isnull=False,
        message__kind__in=[AlertMessage.Kind.ALERT, AlertMessage.Kind.UPDATE],
    ).update(error_code=ENDED_ERROR_CODE, **withdrawn)
    return expired + ended


def deliveries_send_batch(*, ids: list[int]) -> SendOutcome:
    """Send the deliveries ``ids`` that are still queued; say what became of them.

    Never sends a row twice: only rows this call claimed are sent. E-mails share one
    connection. SMS and push of an alert that is over are not sent (``deliveries_expire``):
    first sends, retries and the sweep's resends all come through here.
    """
    deliveries_expire(ids=ids)
    claim = uuid.uuid4()
    claimed = deliveries_claim(ids=ids, claim=claim)
    push_rows = [d for d in claimed if d.channel == Channel.PUSH]
    sms_rows = [d for d in claimed if d.channel == Channel.SMS]
    email_rows = [d for d in claimed if d.channel == Channel.EMAIL]

    retry_after = _send_push_rows(push_rows) if push_rows else {}  # first: fast and free

    fallback = []
    if sms_rows:
        _send_sms_rows(sms_rows, claim=claim)
        fallback = sms_failures_settle(deliveries=sms_rows)  # STOP recorded, other channels

    if email_rows:
        _send_emails(email_rows)

    _record(push_rows + email_rows)
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


def _send_emails(rows: list[Delivery]) -> None:
    connection = get_connection()
    now = timezone.now()
    roots: dict[int, str] = {}
    for delivery in rows:
        alert = delivery.message.alert
        commune = alert.commune
        if commune.pk not in roots:
            roots[commune.pk] = commune.site.root_url
        root = roots[commune.pk]
        body = "\n\n".join(
            [
                _reader_text(delivery),
                _("Voir l'alerte et ses suites : %(url)s") % {"url": f"{root}/alertes/{alert.pk}/"},
                _("Danger immédiat : composez le 17 (ou le 112)."),
                _("Choisir comment vous recevez les alertes : %(url)s")
                % {"url": f"{root}/compte/notifications/"},
            ]
        )
        email = EmailMessage(
            subject=f"[{commune.name}] {delivery.message.get_kind_display()} : "
            f"{alert.get_category_display()}",
            body=body,
            to=[delivery.user.email],
            connection=connection,
        )
        try:
            email.send()
        except Exception as error:  # providers raise their own types; all are retried
            logger.warning("E-mail delivery %s failed: %s", delivery.pk, error)
            _outcome(delivery, SmsError(str(error), code="email"), now)
        else:
            # anymail's message id, so that a bounce reported later fails this very row.
            status = getattr(email, "anymail_status", None)
            delivery.provider_message_id = (status.message_id or None) if status else None
            if delivery.provider_message_id:
                delivery.provider_message_id = str(delivery.provider_message_id)[:64]
            _outcome(delivery, None, now)


def _push_notification(delivery: Delivery, *, roots: dict) -> PushNotification:
    message = delivery.message
    alert = message.alert
    commune = alert.commune
    if commune.pk not in roots:
        roots[commune.pk] = commune.site.root_url
    title = f"{commune.name} — {alert.get_category_display()}"
    if message.kind != AlertMessage.Kind.ALERT:
        title = f"{message.get_kind_display()} · {title}"
    return PushNotification(
        title=title,
        body=_reader_text(delivery),
        url=f"{roots[commune.pk]}/alertes/{alert.pk}/",  # the alert's page on its commune's site
        tag=f"alerte-{alert.pk}",  # an update or the end replaces the alert on screen
        urgent=alert.urgent,
    )


def _send_push_rows(rows: list[Delivery]) -> dict[int, int]:
    """Push each delivery to every device of its recipient (``notifications.push``).

    Sent if any device accepted; devices the push service declares gone are deleted, and a
    member left with none fails permanently (``gone``); a 429, 5xx or timeout is retried,
    not before the delay the service asked for (returned: delivery id → seconds). The
    notification lives as long as the alert is useful (``ttl``).
    """
    devices: dict[int, list[PushSubscription]] = {}
    for subscription in PushSubscription.objects.filter(
        user_id__in={d.user_id for d in rows}
    ).order_by("pk"):
        devices.setdefault(subscription.user_id, []).append(subscription)
    now = timezone.now()
    roots: dict = {}
    jobs = [
        PushJob(
            key=delivery,
            subscriptions=devices.get(delivery.user_id, []),
            notification=_push_notification(delivery, roots=roots),
            ttl=max(0, int((delivery.message.alert.expires_at - now).total_seconds())),
        )
        for delivery in rows
    ]
    push_jobs_send(jobs=jobs)
    now = timezone.now()
    retry_after = {}
    for job in jobs:
        _outcome(job.key, job.error, now)
        if job.error is not None and job.error.retry_after:
            retry_after[job.key.pk] = job.error.retry_after
    return retry_after


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
