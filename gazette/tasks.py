"""Thin Celery tasks of the gazette, on the ``default`` queue: they never delay an alert."""

from celery import shared_task

from .digest import digests_send


@shared_task(name="gazette.tasks.gazette_digest_send")
def gazette_digest_send() -> int:
    """The weekly digest (Celery beat); safe to run again: each member gets one a week."""
    return digests_send()
