"""Periodic work on memberships and SMS budgets (Celery beat): thin tasks calling one
service each."""

from celery import shared_task

from .memberships import memberships_expire_stale
from .registration_notices import registrations_waiting_notify
from .sms_budget import sms_budgets_check


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


@shared_task(name="communities.sms_budgets_check")
def sms_budgets_check_task() -> int:
    """Tell the administrators of communes whose SMS spend reached 80 % or 100 % of the
    month's budget (every few minutes). Idempotent: each warning is recorded once a month."""
    return sms_budgets_check()
