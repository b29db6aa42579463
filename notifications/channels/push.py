"""The web push channel: a delivery goes to every device its member enabled.

Sent if any device accepted; devices the push service declares gone are deleted, and a
member left with none fails permanently (``gone``); a 429, 5xx or timeout is transient,
with the delay the service asked for (``ChannelError.retry_after``). The notification
lives as long as the message is useful (``ttl``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from notifications.models import PushSubscription
from notifications.push import PushJob, push_jobs_send
from notifications.sources import outbox_source

from .base import DeliveryChannel, Outcome

if TYPE_CHECKING:
    from notifications.models import Delivery

# A notification whose message has no end (a correction) stays this long at the service.
DEFAULT_TTL_SECONDS = 24 * 3600


def push_ttl(*, expires_at, now) -> int:
    if expires_at is None:
        return DEFAULT_TTL_SECONDS
    return max(0, int((expires_at - now).total_seconds()))


class PushChannel(DeliveryChannel):
    def send(self, delivery: Delivery) -> None:
        outcomes = []
        self.send_many([delivery], on_outcome=lambda _d, error: outcomes.append(error))
        if outcomes and outcomes[0] is not None:
            raise outcomes[0]

    def send_many(self, deliveries: list[Delivery], *, on_outcome: Outcome) -> None:
        devices: dict[int, list[PushSubscription]] = {}
        for subscription in PushSubscription.objects.filter(
            user_id__in={d.user_id for d in deliveries}
        ).order_by("pk"):
            devices.setdefault(subscription.user_id, []).append(subscription)
        now = timezone.now()
        jobs = [
            PushJob(
                key=delivery,
                subscriptions=devices.get(delivery.user_id, []),
                notification=outbox_source(delivery.message.purpose).push(delivery),
                ttl=push_ttl(expires_at=delivery.message.expires_at, now=now),
            )
            for delivery in deliveries
        ]
        push_jobs_send(jobs=jobs)
        for job in jobs:
            on_outcome(job.key, job.error)
