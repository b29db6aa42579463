"""Thin Celery tasks of messaging: each calls one function."""

from celery import shared_task

from .notify import messages_notify
from .official import official_sms_due, official_sms_send
from .retention import messages_retention_apply


@shared_task(name="messaging.messages_notify")
def messages_notify_task() -> dict:
    """Batched e-mails and pushes of unread messages (every minute); idempotent."""
    return messages_notify()


@shared_task(name="messaging.official_sms_send", acks_late=True)
def official_sms_send_task(send_id: int) -> int:
    return official_sms_send(send_id=send_id)


@shared_task(name="messaging.official_sms_sweep")
def official_sms_sweep_task() -> int:
    """SMS of targeted messages held for the legal hours, or whose task was lost."""
    return sum(official_sms_send(send_id=pk) for pk in official_sms_due())


@shared_task(name="messaging.retention_apply")
def messages_retention_task() -> dict:
    return messages_retention_apply()
