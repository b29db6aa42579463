"""Periodic work of the dashboard (Celery beat): thin tasks calling one service each."""

from celery import shared_task

from .member_counts import member_counts_refresh_all


@shared_task(name="dashboard.member_counts_refresh")
def member_counts_refresh_task() -> int:
    """Count every community's memberships again (every few minutes), for the writes that
    send no signal. Idempotent: counting again changes nothing."""
    return member_counts_refresh_all()
