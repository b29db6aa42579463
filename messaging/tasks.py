"""Thin Celery tasks of messaging: each calls one function."""

from celery import shared_task

from .notify import messages_notify
from .official import official_conversations_sweep
from .official import official_conversations_task as official_conversations_task  # registered
from .retention import messages_retention_apply


@shared_task(name="messaging.messages_notify")
def messages_notify_task() -> dict:
    """Batched e-mails and pushes of unread messages (every minute); idempotent."""
    return messages_notify()


@shared_task(name="messaging.retention_apply")
def messages_retention_task() -> dict:
    return messages_retention_apply()


@shared_task(name="messaging.official_conversations_sweep")
def official_conversations_sweep_task() -> int:
    """Sends whose conversations are still owed a minute later (broker down, worker lost)."""
    return official_conversations_sweep()
