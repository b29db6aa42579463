"""Sending one SMS now, inside the request: the row first, the provider second, the outcome last.

The synchronous, transactional path, kept for what must leave while the person waits:
verification codes, the sign-up's "this number already has an account" and password-reset
SMS (``accounts.adapter``, ``accounts.password_reset_sms``). A code is worthless once it
expires, so it never waits for quiet hours, a pace shared with an alert's fan-out or a
retry minutes later. Every other message to a member is a notice through the outbox
(``notifications.notices.notice_send``), with deliveries, retries and reconciliation.
Each SMS here is still recorded (``OutboundSms``), counted in segments, sent at most once
and brought up to date by the provider's callbacks.
"""

import logging

from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from notifications.models import OutboundSms, SmsPurpose, SmsStatus, statuses_that_may_advance_to

from .backends import (
    TWILIO_MAX_VALIDITY_PERIOD,
    TWILIO_PERMANENT_CODES,
    SmsError,
    sms_backend,
    sms_backend_name,
)
from .numbers import phone_number_e164, sms_sender_clean
from .segments import sms_segments

logger = logging.getLogger(__name__)

# Twilio refuses longer bodies (error 21617); ten segments are already a letter, not an SMS.
MAX_BODY_CHARACTERS = 1600

# Provider statuses (Twilio's MessageStatus) in our vocabulary.
PROVIDER_STATUSES = {
    "accepted": SmsStatus.QUEUED,
    "scheduled": SmsStatus.QUEUED,
    "queued": SmsStatus.QUEUED,
    "sending": SmsStatus.SENDING,
    "sent": SmsStatus.SENT,
    "delivered": SmsStatus.DELIVERED,
    "read": SmsStatus.DELIVERED,
    "undelivered": SmsStatus.UNDELIVERED,
    "failed": SmsStatus.FAILED,
    "canceled": SmsStatus.FAILED,
}


def sms_queue(
    *,
    to: str,
    body: str,
    purpose: str,
    sender: str | None = None,
    validity_period: int | None = None,
) -> OutboundSms:
    """Check a message and write its outbox row, status queued; send nothing yet.

    For callers that must record the message inside their own transaction and send it
    after commit (an alert's deliveries): keep the row's id, then call ``sms_dispatch``.
    Raises ``ValueError`` for an empty or over-long body, an invalid number or sender, an
    unknown purpose or a validity period outside 1 s – 10 h: nothing is written then.
    """
    if purpose not in SmsPurpose.values:
        raise ValueError(f"unknown SMS purpose: {purpose!r}")
    if not body or not body.strip():
        raise ValueError("an SMS needs a text")
    if len(body) > MAX_BODY_CHARACTERS:
        raise ValueError(f"an SMS text has {MAX_BODY_CHARACTERS} characters at most")
    if validity_period is not None and not 1 <= validity_period <= TWILIO_MAX_VALIDITY_PERIOD:
        raise ValueError(f"validity period must be 1 to {TWILIO_MAX_VALIDITY_PERIOD} seconds")
    segmentation = sms_segments(body)
    return OutboundSms.objects.create(
        to=phone_number_e164(to),
        body=body,
        sender=sms_sender_clean(sender),
        purpose=purpose,
        validity_period=validity_period,
        segments=segmentation.segments,
        encoding=segmentation.encoding,
    )


def _record_outcome(sms: OutboundSms, **fields) -> None:
    """Write what the provider answered, unless the row has moved on meanwhile."""
    fields["updated_at"] = timezone.now()
    moved = OutboundSms.objects.filter(pk=sms.pk, status=SmsStatus.SENDING).update(**fields)
    if moved:
        for name, value in fields.items():
            setattr(sms, name, value)
        return
    # Something else (a sweep) settled the row while we were talking to the provider:
    # keep its verdict, but keep the provider's id too, or its callbacks would find nothing.
    provider_message_id = fields.get("provider_message_id")
    if provider_message_id:
        OutboundSms.objects.filter(pk=sms.pk, provider_message_id__isnull=True).update(
            provider_message_id=provider_message_id
        )
    logger.warning("SMS %s was settled elsewhere while being sent; kept as it is", sms.pk)
    sms.refresh_from_db()


def sms_dispatch(sms: OutboundSms) -> OutboundSms:
    """Send a queued outbox row once, and record the outcome on it.

    Never sends twice: the row is claimed by moving it from queued to sending in one
    conditional UPDATE, so of two workers given the same row only one sends, and a row
    already past queued (sending, sent, delivered, failed…) is returned untouched.
    Never raises for a provider's refusal: the row comes back failed, with the error
    code, its message and whether it is permanent (a new attempt is then the caller's
    decision, as a new row). A bug in a backend is recorded as a failure and re-raised.
    Call it outside a transaction that could still roll back: the SMS cannot be unsent.
    """
    backend = sms_backend()  # a misconfiguration raises here and leaves the row queued
    backend_name = sms_backend_name()
    now = timezone.now()
    claimed = OutboundSms.objects.filter(pk=sms.pk, status=SmsStatus.QUEUED).update(
        status=SmsStatus.SENDING, backend=backend_name, updated_at=now
    )
    sms.refresh_from_db()  # the caller's copy may be stale: send what the row holds
    if not claimed:
        return sms

    try:
        backend.send(sms)
    except SmsError as error:
        logger.warning(  # no phone number in logs: the row has it
            "SMS %s failed (%s, %s): %s",
            sms.pk,
            error.code,
            "permanent" if error.permanent else "transient",
            error.message,
        )
        _record_outcome(
            sms,
            status=SmsStatus.FAILED,
            error_code=(error.code or "")[:32],
            error_message=error.message,
            error_permanent=error.permanent,
        )
    except Exception as error:
        _record_outcome(
            sms,
            status=SmsStatus.FAILED,
            error_code="exception",
            error_message=f"{type(error).__name__}: {error}",
            error_permanent=False,
        )
        raise
    else:
        _record_outcome(
            sms,
            status=SmsStatus.SENT,
            provider_message_id=sms.provider_message_id or None,
            sent_at=timezone.now(),
        )
    return sms


def sms_send(
    *,
    to: str,
    body: str,
    purpose: str,
    sender: str | None = None,
    validity_period: int | None = None,
) -> OutboundSms:
    """Record an SMS in the outbox, send it now, and return the row with its outcome.

    Raises ``ValueError`` for an invalid message (see ``sms_queue``) and nothing for a
    provider's refusal: check ``status`` (sent or failed) and ``error_permanent``.
    Each call is a new message: to retry or resume, call ``sms_dispatch`` on a kept row.
    """
    sms = sms_queue(
        to=to, body=body, purpose=purpose, sender=sender, validity_period=validity_period
    )
    return sms_dispatch(sms)


def sms_status_update(
    *, provider_message_id: str, status: str, error_code: str | int | None = None
) -> OutboundSms | None:
    """Apply a provider's status callback; ``None`` when no message has this id.

    Idempotent and monotonic: status only moves forward, checked in the UPDATE itself so
    that concurrent callbacks cannot regress it; a repeated, late or out-of-order callback
    (a "sent" after "delivered") changes nothing. An unknown provider status is logged and
    ignored. The error code is kept for failed and undelivered messages.
    """
    if not provider_message_id:
        return None
    messages = OutboundSms.objects.filter(provider_message_id=provider_message_id)
    new_status = PROVIDER_STATUSES.get(str(status or "").strip().lower())
    if new_status is None:
        logger.warning("Unknown SMS status %r for %s: ignored", status, provider_message_id)
        return messages.first()

    now = timezone.now()
    changes: dict = {"status": new_status, "updated_at": now}
    if new_status in (SmsStatus.SENT, SmsStatus.DELIVERED):
        changes["sent_at"] = Coalesce(F("sent_at"), Value(now), output_field=DateTimeField())
    code = str(error_code or "").strip()
    if new_status in (SmsStatus.FAILED, SmsStatus.UNDELIVERED) and code:
        changes["error_code"] = code[:32]
        changes["error_permanent"] = code in TWILIO_PERMANENT_CODES
    messages.filter(status__in=statuses_that_may_advance_to(new_status)).update(**changes)
    return messages.first()
