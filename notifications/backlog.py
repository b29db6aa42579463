"""What waits in the outbox: the one reading of the sweep and of ``/readyz``.

A message is recorded in the transaction that posts it, ``fanned_out_at`` empty; its
fan-out task is only published after commit, and a broker that is down at that moment
loses the task, not the message. The sweep finds such messages here and fans them out;
the readiness probe reports how long the oldest of them has waited, and since when the
oldest queued delivery has been due.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from .models import Channel, Delivery, DeliveryStatus, OutboxMessage


def messages_awaiting_fanout(
    *, now: datetime | None = None, older_than: timedelta | None = None
) -> QuerySet[OutboxMessage]:
    """Messages recorded but never fanned out, created more than ``older_than`` ago.

    Leaves out held messages (an alert waiting for its moderator, or refused: its sender
    releases it, ``outbox_messages_release``, or never does). Quiet hours do not
    keep a message from its fan-out (its e-mails leave at once; the fan-out itself holds
    SMS and push until ``not_before``).
    """
    messages = OutboxMessage.objects.filter(fanned_out_at=None, held=False)
    if older_than is not None:
        messages = messages.filter(created_at__lt=(now or timezone.now()) - older_than)
    return messages


def deliveries_due(*, now: datetime | None = None) -> QuerySet[Delivery]:
    """Queued deliveries that should be leaving now.

    A queued row's ``updated_at`` is when it was last touched or, for an SMS waiting for its
    paced slot, that slot: rows dated in the future wait their turn. SMS and push of a
    message held for quiet hours (``not_before`` ahead) wait too. Neither is late.
    """
    now = now or timezone.now()
    return Delivery.objects.filter(status=DeliveryStatus.QUEUED, updated_at__lte=now).exclude(
        message__not_before__gt=now, channel__in=[Channel.SMS, Channel.PUSH]
    )


@dataclass(frozen=True)
class OutboxBacklog:
    """How long the oldest work of the outbox has been waiting, in seconds (None: nothing)."""

    oldest_queued_seconds: float | None
    oldest_unfanned_seconds: float | None


def _age(moment: datetime | None, now: datetime) -> float | None:
    return None if moment is None else round(max((now - moment).total_seconds(), 0.0), 1)


def outbox_backlog(*, now: datetime | None = None) -> OutboxBacklog:
    """The age of the oldest due delivery and of the oldest message never fanned out.

    Two indexed ``ORDER BY … LIMIT 1`` reads, cheap enough for a probe called every few
    seconds.
    """
    now = now or timezone.now()
    oldest_due = (
        deliveries_due(now=now).order_by("updated_at").values_list("updated_at", flat=True)
    ).first()
    oldest_message = (
        messages_awaiting_fanout(now=now)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return OutboxBacklog(
        oldest_queued_seconds=_age(oldest_due, now),
        oldest_unfanned_seconds=_age(oldest_message, now),
    )
