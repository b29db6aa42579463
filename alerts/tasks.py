"""Thin Celery tasks: they take ids and call one function each."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .fanout import deliveries_write
from .models import AlertMessage, Channel, Delivery, DeliveryStatus
from .sending import deliveries_send, deliveries_stuck

BATCH_SIZE = 200


def _enqueue_batches(ids: list[int], *, per_second: float | None = None) -> int:
    batches = [ids[i : i + BATCH_SIZE] for i in range(0, len(ids), BATCH_SIZE)]
    for number, batch in enumerate(batches):
        # Pace SMS to the contracted provider rate: a batch every BATCH_SIZE / rate seconds.
        countdown = number * BATCH_SIZE / per_second if per_second else 0
        deliveries_send_task.apply_async(args=[batch], queue="alerts", countdown=countdown)
    return len(batches)


@shared_task(acks_late=True)
def alert_message_fanout(message_id: int) -> dict:
    """Write every delivery of a message, then enqueue e-mail first and paced SMS."""
    message = AlertMessage.objects.select_related("alert__commune").get(pk=message_id)
    written = deliveries_write(message=message)
    AlertMessage.objects.filter(pk=message_id, fanned_out_at=None).update(
        fanned_out_at=timezone.now()
    )
    queued = Delivery.objects.filter(message_id=message_id, status=DeliveryStatus.QUEUED)
    email_ids = list(
        queued.filter(channel=Channel.EMAIL).order_by("pk").values_list("pk", flat=True)
    )
    sms_ids = list(queued.filter(channel=Channel.SMS).order_by("pk").values_list("pk", flat=True))
    _enqueue_batches(email_ids)
    _enqueue_batches(sms_ids, per_second=getattr(settings, "SMS_RATE_PER_SECOND", None))
    return {"written": written, "email": len(email_ids), "sms": len(sms_ids)}


@shared_task(acks_late=True)
def deliveries_send_task(ids: list[int]) -> dict:
    return deliveries_send(ids=ids)


@shared_task
def deliveries_recover() -> int:
    """Periodic sweep: re-enqueue what a lost task, a restarted broker or a killed worker left."""
    stuck = list(deliveries_stuck().values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=stuck, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.QUEUED, claim=None, updated_at=timezone.now()
    )
    _enqueue_batches(stuck)
    return len(stuck)


@shared_task(name="alerts.retention_apply")
def alerts_retention_apply_task() -> dict:
    from .retention import alerts_retention_apply

    return alerts_retention_apply()
