"""The outbox's thin Celery tasks: they take ids and call one function each.

Every task here runs on the ``alerts`` queue (``OUTBOX_QUEUE``), which workers read before
``default``: an alert never waits behind a digest. What a task decides beyond calling its
function is only *when* the next step runs: SMS batches are booked on the shared pace
(``notifications.pacing``), held until ``not_before`` in quiet hours, and retried with
exponential back-off and jitter.
"""

import logging
import random
from contextlib import nullcontext
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from kombu.exceptions import OperationalError

from .backlog import messages_awaiting_fanout
from .fanout import deliveries_write
from .models import Channel, Delivery, DeliveryStatus, OutboxMessage
from .pacing import sms_rate_per_second, sms_slot_delay
from .reconciliation import deliveries_reconcile
from .sending import deliveries_send_batch, deliveries_stuck
from .sources import outbox_source
from .tallies import tallies_refresh

BATCH_SIZE = 200
# Broker priorities of a fan-out's batches by its size (deliveries): kombu's Redis transport
# keeps one list per step (0, 3, 6, 9) and a worker reads step 0 of its queues first, then
# 3, and so on; a message without a priority is read at step 0.
FANOUT_PRIORITIES = ((1_000, 0), (20_000, 3))
BULK_FANOUT_PRIORITY = 6
# The queue workers read first (``celery worker -Q alerts,default``); its name predates
# the outbox serving more than alerts.
OUTBOX_QUEUE = "alerts"
TALLIES_NUDGE_KEY = "notifications:tallies:nudge"

logger = logging.getLogger(__name__)


def retry_delay(*, attempts: int) -> float:
    """Exponential back-off with jitter: about base × 2^(attempts-1), capped, ±50 %."""
    base = float(settings.ALERT_RETRY_BASE_SECONDS)
    delay = min(float(settings.ALERT_RETRY_MAX_SECONDS), base * 2 ** max(attempts - 1, 0))
    return delay * random.uniform(0.5, 1.5)  # noqa: S311 (spreading load, not secrecy)


def _mark_scheduled(ids: list[int], due: datetime) -> None:
    # A row waiting for a slot far ahead must not look lost to the sweep meanwhile.
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.QUEUED).update(updated_at=due)


def _batches_plan(
    ids: list[int], *, paced: bool = False, delay: float = 0.0, eta: datetime | None = None
) -> list[tuple[float, list[int]]]:
    """Cut ``ids`` in batches, each with its countdown: after ``delay`` seconds or at
    ``eta``; SMS ``paced``.

    A paced fan-out books its whole span on the shared schedule at once, then spreads its
    batches over it. A batch due beyond the sweep's horizon is marked scheduled so that the
    sweep does not take it for lost meanwhile.
    """
    if not ids:
        return []
    now = timezone.now()
    start = max(delay, (eta - now).total_seconds() if eta else 0.0)
    rate = sms_rate_per_second() if paced else 0.0
    if rate > 0:
        start += sms_slot_delay(count=len(ids))
    horizon = float(settings.ALERT_SWEEP_QUEUED_AFTER) / 2
    plan = []
    for number, start_at in enumerate(range(0, len(ids), BATCH_SIZE)):
        batch = ids[start_at : start_at + BATCH_SIZE]
        # Paced to the second, not finer: a batch given a countdown is an ETA task, which a
        # worker takes from the broker at once and holds, out of reach of its priorities;
        # batches due within the same second leave together.
        countdown = start + (int(number * BATCH_SIZE / rate) if rate > 0 else 0)
        if countdown > horizon:
            _mark_scheduled(batch, now + timedelta(seconds=countdown))
        plan.append((countdown, batch))
    return plan


def fanout_priority(*, deliveries: int, bulk: bool = False) -> int:
    """The broker priority of the batches of a fan-out of ``deliveries`` (with Redis, lower
    is read first): a village's alert is read before the batches of a town's broadcast
    queued earlier, and a town's before a city's, so that one commune's flood does not hold
    the others' alerts behind it.

    Messages that come in numbers, one recipient each (``OutboxSource.in_bulk``: notices
    such as "you have a new message", 33,334 of them after a mairie wrote to a whole town)
    take the last step whatever their size, in turn with a city's broadcast: read before
    it, each alone, they held a 100,000-member alert's SMS back for half an hour. An urgent
    notice (an alert waiting for its moderators) is not one of them: it is read first.

    Batches of one size class keep their order. Every other outbox task (a retry, a
    reconciliation) is published without a priority, at the first step.
    """
    if bulk:
        return BULK_FANOUT_PRIORITY
    for most, priority in FANOUT_PRIORITIES:
        if deliveries <= most:
            return priority
    return BULK_FANOUT_PRIORITY


def _publish(plan: list[tuple[float, list[int]]], *, bulk: bool = False) -> int:
    """Enqueue the planned batches in the plan's order, through one broker connection, at
    the priority of the plan's size (``bulk``: see ``fanout_priority``)."""
    app = deliveries_send_task.app
    priority = fanout_priority(deliveries=sum(len(batch) for _, batch in plan), bulk=bulk)
    publishing = nullcontext(None) if app.conf.task_always_eager else app.producer_or_acquire()
    with publishing as producer:
        for countdown, batch in plan:
            # No countdown at all when due now: an ETA task waits in the worker's timer.
            deliveries_send_task.apply_async(
                args=[batch],
                countdown=countdown or None,
                producer=producer,
                queue=OUTBOX_QUEUE,
                priority=priority,
            )
    return len(plan)


def _enqueue_batches(
    ids: list[int], *, paced: bool = False, delay: float = 0.0, eta: datetime | None = None
) -> int:
    """Enqueue ``ids`` in batches, after ``delay`` seconds or at ``eta``; SMS ``paced``."""
    return _publish(_batches_plan(ids, paced=paced, delay=delay, eta=eta))


def _interleaved(*plans: list[tuple[float, list[int]]]) -> list[tuple[float, list[int]]]:
    """One plan from several: by the second each batch is due, and within a second one
    batch of each plan in turn, so that no channel waits in the queue behind all of
    another's batches."""
    turns = [
        (int(countdown), turn, index, countdown, batch)
        for index, plan in enumerate(plans)
        for turn, (countdown, batch) in enumerate(plan)
    ]
    turns.sort(key=lambda entry: entry[:3])
    return [(countdown, batch) for _, _, _, countdown, batch in turns]


def _queued_ids(message_id: int) -> dict[str, list[int]]:
    """The queued deliveries of a message by channel, in row order: one query."""
    ids = {channel: [] for channel in Channel.values}
    rows = (
        Delivery.objects.filter(message_id=message_id, status=DeliveryStatus.QUEUED)
        .order_by("pk")
        .values_list("channel", "pk")
    )
    for channel, pk in rows:
        ids.setdefault(channel, []).append(pk)
    return ids


@shared_task(name="notifications.outbox_message_fanout", acks_late=True)
def outbox_message_fanout(message_id: int) -> dict:
    """Write every delivery of a message, then enqueue its batches: push, SMS (paced) and
    e-mail in turn.

    In quiet hours (``not_before`` ahead) e-mail still leaves at once; push and SMS wait
    for ``not_before``. A message already fanned out is left alone: the sweep may publish
    the fan-out of a message whose first task was only slow, and the rows of the first run
    are the sweep's to recover, not a second run's to enqueue again.
    """
    message = OutboxMessage.objects.get(pk=message_id)
    if message.fanned_out_at is not None:
        return {"written": 0, "email": 0, "push": 0, "sms": 0, "held_until": None}
    written = deliveries_write(message=message)
    OutboxMessage.objects.filter(pk=message_id, fanned_out_at=None).update(
        fanned_out_at=timezone.now()
    )
    held_until = (
        message.not_before if message.not_before and message.not_before > timezone.now() else None
    )
    queued = _queued_ids(message_id)
    email_ids, push_ids, sms_ids = (
        queued[Channel.EMAIL],
        queued[Channel.PUSH],
        queued[Channel.SMS],
    )
    # Push first, then SMS and e-mail batches in turn: the first SMS of a commune-wide
    # alert must not wait behind thousands of e-mails (it did, 18 s for 33,000 e-mails).
    _publish(
        _interleaved(
            _batches_plan(push_ids, eta=held_until),
            _batches_plan(sms_ids, paced=True, eta=held_until),
            _batches_plan(email_ids),
        ),
        bulk=outbox_source(message.purpose).in_bulk(message),
    )
    return {
        "written": written,
        "email": len(email_ids),
        "push": len(push_ids),
        "sms": len(sms_ids),
        "held_until": held_until.isoformat() if held_until else None,
    }


def _sms_ids(ids: list[int]) -> set[int]:
    return set(
        Delivery.objects.filter(pk__in=ids, channel=Channel.SMS).values_list("pk", flat=True)
    )


def deliveries_enqueue(ids: list[int]) -> None:
    """Enqueue e-mail and push deliveries written outside a fan-out (an SMS's fall-back)."""
    _enqueue_batches(ids)


def _enqueue_resend(ids: list[int], *, delay: float = 0.0) -> None:
    """Enqueue rows to send again: SMS booked on the pace, the others at once."""
    sms = _sms_ids(ids)
    _enqueue_batches([pk for pk in ids if pk in sms], paced=True, delay=delay)
    _enqueue_batches([pk for pk in ids if pk not in sms], delay=delay)


@shared_task(name="notifications.deliveries_send", acks_late=True)
def deliveries_send_task(ids: list[int]) -> dict:
    """Send a batch; schedule retries of transient failures and reconcile unknown outcomes."""
    outcome = deliveries_send_batch(ids=ids)
    for attempts, retry_ids in outcome.retry.items():
        delay = retry_delay(attempts=attempts)
        # A push service's Retry-After, when longer than our back-off, is honoured.
        by_delay: dict[float, list[int]] = {}
        for pk in retry_ids:
            by_delay.setdefault(max(delay, outcome.retry_after.get(pk, 0)), []).append(pk)
        for wait, group in by_delay.items():
            _enqueue_resend(group, delay=wait)
    _enqueue_batches(outcome.fallback)
    if outcome.unknown:
        deliveries_reconcile_task.apply_async(
            args=[outcome.unknown],
            countdown=float(settings.ALERT_RECONCILE_AFTER),
            queue=OUTBOX_QUEUE,
        )
    return outcome.counts


@shared_task(name="notifications.deliveries_reconcile", acks_late=True)
def deliveries_reconcile_task(ids: list[int], round: int = 1) -> dict:
    """Ask the provider about rows whose outcome is unknown; resend only what it lacks."""
    outcome = deliveries_reconcile(ids=ids)
    if outcome.requeued:
        _enqueue_resend(outcome.requeued)
    if outcome.unresolved and round < 5:
        # Provider unreachable: ask again later; after five rounds the sweep takes over.
        deliveries_reconcile_task.apply_async(
            args=[outcome.unresolved, round + 1],
            countdown=retry_delay(attempts=round + 1),
            queue=OUTBOX_QUEUE,
        )
    return {
        "sent": len(outcome.sent),
        "requeued": len(outcome.requeued),
        "failed": len(outcome.failed),
        "unresolved": len(outcome.unresolved),
    }


@shared_task(name="notifications.deliveries_recover")
def deliveries_recover() -> int:
    """Periodic sweep: fan out the messages whose fan-out was never published (broker down
    when they were posted) or lost, re-enqueue what a lost task or a restarted broker left
    queued, and reconcile with the provider what a killed worker or a timeout left in
    sending. Returns how many messages and deliveries it took up."""
    unfanned = list(
        messages_awaiting_fanout(
            older_than=timedelta(seconds=settings.ALERT_SWEEP_FANOUT_AFTER)
        ).values_list("pk", flat=True)
    )
    for message_id in sorted(unfanned):
        outbox_message_fanout.apply_async(args=[message_id], queue=OUTBOX_QUEUE)
    stuck = list(deliveries_stuck().order_by("pk").values_list("pk", "status"))
    queued = [pk for pk, status in stuck if status == DeliveryStatus.QUEUED]
    sending = [pk for pk, status in stuck if status == DeliveryStatus.SENDING]
    if queued:
        # Touch them now, so the next sweep does not enqueue them again while they wait.
        Delivery.objects.filter(pk__in=queued, status=DeliveryStatus.QUEUED).update(
            updated_at=timezone.now()
        )
        _enqueue_resend(queued)
    for start in range(0, len(sending), BATCH_SIZE):
        deliveries_reconcile_task.apply_async(
            args=[sending[start : start + BATCH_SIZE]], queue=OUTBOX_QUEUE
        )
    return len(unfanned) + len(stuck)


@shared_task(name="notifications.tallies_refresh")
def tallies_refresh_task() -> int:
    """Count the open messages' deliveries into their tallies (every minute, by beat)."""
    return tallies_refresh()


def tallies_refresh_soon(*, within: int) -> bool:
    """Have the tallies counted within ``within`` seconds, at most once in that time
    whoever asks (a watched dashboard asks at every poll); True if a count was asked for.
    A broker that is down leaves it to the minute's periodic run."""
    if not cache.add(TALLIES_NUDGE_KEY, 1, timeout=within):
        return False
    try:
        tallies_refresh_task.apply_async(queue="default")
    except OperationalError:
        logger.warning("Broker unreachable: tallies left to the periodic refresh")
        return False
    return True
