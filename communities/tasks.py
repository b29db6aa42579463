"""Periodic work on memberships (Celery beat): thin tasks calling one service each."""

from celery import shared_task

from .memberships import memberships_expire_stale


@shared_task(name="communities.memberships_expire_stale")
def memberships_expire_stale_task() -> int:
    """Expire requests undecided for 30 days and delete their proofs (daily).

    Idempotent: a second run finds nothing left to expire, so a redelivered task is harmless.
    """
    return memberships_expire_stale()
