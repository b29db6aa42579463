"""When an alert's SMS does not reach its member: STOP at the carrier, and a fall-back.

Twilio's error 21610 means the number answered STOP to the carrier: the member's SMS
opt-out is recorded as an inbound STOP records it (``accounts.sms_consent``), so that no
later message tries again. An SMS the provider refused for good, or reported
``undelivered`` / ``failed`` in a status callback, falls back once to the member's other
channels: one e-mail delivery and one push delivery of the same message, where they have an
address or a device. The unique (message, recipient, channel) row makes "once" hold however
many times a callback is replayed.
"""

import logging

from django.db import transaction
from django.db.models import Exists, OuterRef
from kombu.exceptions import OperationalError

from accounts.sms_consent import sms_opt_out
from notifications.models import PushSubscription
from notifications.sms.backends import TWILIO_PERMANENT_CODES

from .fanout import RETRACTED_ERROR_CODE
from .models import (
    ENDED_ERROR_CODE,
    EXPIRED_ERROR_CODE,
    WITHDRAWN_STATUSES,
    AlertMessage,
    Channel,
    Delivery,
    DeliveryStatus,
)

logger = logging.getLogger(__name__)

# The carrier's STOP, reported by Twilio when sending or in a status callback.
STOP_ERROR_CODE = "21610"
# Rows we failed ourselves: the alert was over or withdrawn, nobody is to be reached.
NOT_TO_FALL_BACK = [RETRACTED_ERROR_CODE, EXPIRED_ERROR_CODE, ENDED_ERROR_CODE]
# What Twilio reports in a status callback, in our statuses (monotonic: only a sent row moves).
CALLBACK_STATUSES = {
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.DELIVERED,
    "undelivered": DeliveryStatus.FAILED,
    "failed": DeliveryStatus.FAILED,
}


def sms_failures_settle(*, deliveries: list[Delivery]) -> list[int]:
    """After SMS ``deliveries`` failed for good: record STOPs, write the fall-backs.

    Returns the ids of the fall-back deliveries written now (queued, to be enqueued).
    Deliveries of a withdrawn alert (other than its correction), or that we withdrew
    because the alert was over, fall back to nothing.
    """
    failed = [
        d
        for d in deliveries
        if d.channel == Channel.SMS
        and d.status == DeliveryStatus.FAILED
        and d.error_code not in NOT_TO_FALL_BACK
    ]
    for user_id in {d.user_id for d in failed if d.error_code == STOP_ERROR_CODE}:
        sms_opt_out(user_id=user_id)
    if not failed:
        return []
    rows = (
        Delivery.objects.filter(pk__in=[d.pk for d in failed])
        .select_related("user", "message__alert")
        .annotate(has_push=Exists(PushSubscription.objects.filter(user=OuterRef("user"))))
    )
    wanted = []
    for row in rows:
        message = row.message
        withdrawn = message.alert.moderation_status in WITHDRAWN_STATUSES
        if withdrawn and message.kind != AlertMessage.Kind.CORRECTION:
            continue
        if not row.user.is_active:
            continue
        # The member chose SMS for alerts and it did not arrive: the address or device we
        # have reaches them instead, even where they had not asked for alerts there.
        channels = [Channel.EMAIL] if row.user.email else []
        if row.has_push:
            channels.append(Channel.PUSH)
        wanted += [(row, channel) for channel in channels]
    if not wanted:
        return []
    existing = set(
        Delivery.objects.filter(
            message_id__in={row.message_id for row, _channel in wanted},
            user_id__in={row.user_id for row, _channel in wanted},
        ).values_list("message_id", "user_id", "channel")
    )
    new = [
        Delivery(
            message_id=row.message_id,
            user_id=row.user_id,
            channel=channel,
            restricted=row.restricted,
            created_at=row.updated_at,
            updated_at=row.updated_at,
        )
        for row, channel in wanted
        if (row.message_id, row.user_id, channel) not in existing
    ]
    # ignore_conflicts: a replayed callback racing this one writes nothing more.
    Delivery.objects.bulk_create(new, ignore_conflicts=True)
    keys = {(d.message_id, d.user_id, d.channel) for d in new}
    return sorted(
        pk
        for pk, message_id, user_id, channel in Delivery.objects.filter(
            message_id__in={k[0] for k in keys},
            user_id__in={k[1] for k in keys},
            status=DeliveryStatus.QUEUED,
            attempts=0,
        ).values_list("pk", "message_id", "user_id", "channel")
        if (message_id, user_id, channel) in keys
    )


def fallbacks_enqueue(ids: list[int]) -> None:
    """Send the fall-back deliveries after commit; a broker that is down leaves them queued,
    for the sweep."""
    if not ids:
        return

    def enqueue():
        from .tasks import deliveries_enqueue

        try:
            deliveries_enqueue(ids)
        except OperationalError:
            logger.warning("Broker unreachable: fall-back deliveries %s left to the sweep", ids)

    transaction.on_commit(enqueue)


@transaction.atomic
def delivery_status_callback(*, provider_message_id: str, status: str, error_code: str) -> bool:
    """Apply a provider's status callback to the alert delivery it names; False if none.

    Monotonic: only a sent delivery moves on (to delivered or failed), so a late, repeated
    or out-of-order callback changes nothing, and falls back to nothing a second time.
    """
    new_status = CALLBACK_STATUSES.get(status)
    rows = Delivery.objects.filter(provider_message_id=provider_message_id)
    if new_status is None or not provider_message_id:
        return rows.exists()
    moved = rows.filter(status=DeliveryStatus.SENT).update(
        status=new_status,
        error_code=(error_code or "")[:32],
        permanent_failure=new_status == DeliveryStatus.FAILED
        and error_code in TWILIO_PERMANENT_CODES,
    )
    if moved and new_status == DeliveryStatus.FAILED:
        fallbacks_enqueue(sms_failures_settle(deliveries=list(rows)))
    return bool(moved) or rows.exists()
