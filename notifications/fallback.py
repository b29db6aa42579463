"""When an SMS does not reach its member: STOP at the carrier, and a fall-back.

Twilio's error 21610 means the number answered STOP to the carrier: the member's SMS
opt-out is recorded as an inbound STOP records it (``notifications.reachability``), so that no
later message tries again. An SMS the provider refused for good, or reported
``undelivered`` / ``failed`` in a status callback, falls back once to the member's other
channels: one e-mail delivery and one push delivery of the same message, where they have an
address or a device. The unique (message, recipient, channel) row makes "once" hold however
many times a callback is replayed.
"""

from django.db.models import Exists, OuterRef

from .models import NOT_SENT_ERROR_CODES, Channel, Delivery, DeliveryStatus, PushSubscription
from .reachability import sms_opt_out
from .sources import outbox_source

# The carrier's STOP, reported by Twilio when sending or in a status callback.
STOP_ERROR_CODE = "21610"
# Rows we failed ourselves: the message was over or withdrawn, nobody is to be reached.
NOT_TO_FALL_BACK = list(NOT_SENT_ERROR_CODES)


def sms_failures_settle(*, deliveries: list[Delivery]) -> list[int]:
    """After SMS ``deliveries`` failed for good: record STOPs, write the fall-backs.

    Returns the ids of the fall-back deliveries written now (queued, to be enqueued).
    Deliveries of a withdrawn message (an alert taken back; its correction is not), or
    that we withdrew because the message was over, fall back to nothing, nor do those
    whose source says so (``OutboxSource.falls_back``).
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
        .select_related("user", "message")
        .annotate(has_push=Exists(PushSubscription.objects.filter(user=OuterRef("user"))))
    )
    wanted = []
    for row in rows:
        if row.message.withdrawn_at is not None:
            continue
        if not outbox_source(row.message.purpose).falls_back(row):
            continue
        if not row.user.is_active:
            continue
        # The member chose SMS and it did not arrive: the address or device we
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
