"""Thin Celery tasks of alerts: each calls one function."""

from celery import shared_task

from .retention import alerts_retention_apply


@shared_task(name="alerts.retention_apply")
def alerts_retention_task() -> dict:
    """GDPR (daily, beat ``alerts-retention``): identifying details and texts are erased
    once past their retention periods."""
    return alerts_retention_apply()
