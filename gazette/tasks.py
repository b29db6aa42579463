"""Thin Celery tasks of the gazette, on the ``default`` queue: they never delay an alert."""

from celery import shared_task

from .comment_notices import gazette_comments_notify
from .digest import digests_send


@shared_task(name="gazette.tasks.gazette_digest_send")
def gazette_digest_send() -> int:
    """The weekly digest (Celery beat); safe to run again: each member gets one a week."""
    return digests_send()


@shared_task(name="gazette.tasks.gazette_comments_notify")
def gazette_comments_notify_task() -> int:
    """Tell authors of new comments on their posts (every five minutes); idempotent: what
    was announced is recorded on the post before the notice is written."""
    return gazette_comments_notify()
