"""Periodic work on accounts (Celery beat): thin tasks calling one service each."""

from celery import shared_task

from .inactivity import inactive_accounts_sweep
from .registration_proofs import registration_proofs_purge


@shared_task(name="accounts.inactive_accounts_sweep")
def inactive_accounts_sweep_task() -> dict:
    """Erase accounts two years inactive and warned, warn those at 23 months (daily).

    Idempotent: warnings are claimed once per member, erased accounts are gone.
    """
    return inactive_accounts_sweep()


@shared_task(name="accounts.registration_proofs_purge")
def registration_proofs_purge_task() -> int:
    """Delete proofs kept for abandoned registration forms after a day (hourly).

    Idempotent: a second run finds nothing older than a day.
    """
    return registration_proofs_purge()
