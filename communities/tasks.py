"""Periodic work on memberships (Celery beat): thin tasks calling one service each."""

from celery import shared_task

from .memberships import memberships_expire_stale
from .registration_notices import registrations_waiting_notify


@shared_task(name="communities.memberships_expire_stale")
def memberships_expire_stale_task() -> int:
    """Expire requests undecided for 30 days and delete their proofs (daily).

    Idempotent: a second run finds nothing left to expire, so a redelivered task is harmless.
    """
    return memberships_expire_stale()


@shared_task(name="communities.registrations_waiting_notify")
def registrations_waiting_notify_task() -> int:
    """Tell moderators and referents of the requests that arrived since the last run
    (9 h, 13 h, 17 h). Idempotent: the requests told about are marked."""
    return registrations_waiting_notify()
