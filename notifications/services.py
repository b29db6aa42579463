"""The outbox's writes for its senders: hand a message over, hold it, release, end, withdraw.

A sender records its ``OutboxMessage`` in its own transaction and calls
``outbox_message_dispatch`` there: the fan-out is published after commit, and a broker
that is down loses the task, never the message (the sweep fans it out). What happens to
the message later is told here too, never by editing deliveries from outside.
"""

import logging

from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from .models import WITHDRAWN_ERROR_CODE, Delivery, DeliveryStatus, OutboxMessage
from .sources import outbox_source
from .tasks import OUTBOX_QUEUE, fanout_priority, outbox_message_fanout

logger = logging.getLogger(__name__)

# Publishing is retried briefly, so that a broker that is down answers the sender in well
# under a second; what is not published is left to the sweep.
FANOUT_PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2}


def outbox_message_publish(message_id: int, *, bulk: bool = False) -> None:
    """Publish the fan-out of a committed message; a broker that is down loses nothing.

    The message row itself, written with ``fanned_out_at`` empty in the transaction that
    posted it, is the durable record that it must go: if publishing fails, the error is
    logged and the sweep (``notifications.tasks.deliveries_recover``) fans the message out
    once a worker runs again, so the post still succeeds for its author. A ``bulk``
    message's fan-out waits its turn like its batches (``tasks.fanout_priority``); any
    other's is read first.
    """
    try:
        outbox_message_fanout.apply_async(
            args=[message_id],
            queue=OUTBOX_QUEUE,
            retry_policy=FANOUT_PUBLISH_RETRY,
            priority=fanout_priority(deliveries=1, bulk=True) if bulk else 0,
        )
    except OperationalError:
        logger.warning(
            "Broker unreachable: the fan-out of outbox message %s is left to the sweep",
            message_id,
            exc_info=True,
        )


def outbox_message_dispatch(*, message: OutboxMessage) -> None:
    """Fan ``message`` out after the current transaction commits (unless it is held)."""
    if not message.held:
        bulk = outbox_source(message.purpose).in_bulk(message)
        transaction.on_commit(lambda: outbox_message_publish(message.pk, bulk=bulk))


def outbox_messages_release(*, ids: list[int]) -> None:
    """Held messages may go now (a moderator approved their alert): fan out after commit."""
    OutboxMessage.objects.filter(pk__in=ids, held=True).update(held=False)
    for message_id in sorted(
        OutboxMessage.objects.filter(pk__in=ids, fanned_out_at=None).values_list("pk", flat=True)
    ):
        transaction.on_commit(lambda message_id=message_id: outbox_message_publish(message_id))


def outbox_messages_withdraw(*, ids: list[int], now=None) -> int:
    """Nothing more of these messages may leave: what is still queued is failed for good
    (``retracted``) and they are not fanned out; return how many deliveries were stopped."""
    now = now or timezone.now()
    OutboxMessage.objects.filter(pk__in=ids, withdrawn_at=None).update(withdrawn_at=now)
    return Delivery.objects.filter(message_id__in=ids, status=DeliveryStatus.QUEUED).update(
        status=DeliveryStatus.FAILED,
        error_code=WITHDRAWN_ERROR_CODE,
        permanent_failure=True,
        updated_at=now,
    )


def outbox_messages_end(*, ids: list[int], now=None) -> None:
    """The subject of these messages is over (an alert closed): their SMS and push not yet
    sent will not be (``ended``); e-mail still goes."""
    OutboxMessage.objects.filter(pk__in=ids, ended_at=None).update(ended_at=now or timezone.now())
