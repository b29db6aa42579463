"""Thin Celery tasks of alerts: each calls one function."""

from celery import shared_task

from notifications.tasks import deliveries_recover as outbox_deliveries_recover

from .retention import alerts_retention_apply


@shared_task(name="alerts.tasks.deliveries_recover")
def deliveries_recover() -> int:
    """The outbox's sweep under the name the beat schedule gave it before the outbox moved
    to ``notifications`` (``notifications.deliveries_recover``); kept until the schedule
    names the new task."""
    return outbox_deliveries_recover()


@shared_task(name="alerts.retention_apply")
def alerts_retention_task() -> dict:
    """GDPR (daily, beat ``alerts-retention``): identifying details and texts are erased
    once past their retention periods."""
    return alerts_retention_apply()
