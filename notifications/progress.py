"""Where a message's deliveries stand: progress per channel, and who it did not reach.

The progress counts are one aggregate over ``Delivery`` (grouped by channel and status on
the ``(message, channel, status)`` index), so a message to 100,000 members costs the same
two queries as one to ten neighbours. The call list is the sender's audience (verified
members of an alert's communities, the targets of an official message) annotated here with
what became of each member's deliveries, so that referents can phone those not reached.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    ENDED_ERROR_CODE,
    EXPIRED_ERROR_CODE,
    Channel,
    Delivery,
    DeliveryStatus,
)
from .reachability import has_push_device, sms_opted_out

# Push and e-mail leave first, SMS are paced: list them in the order they go out.
CHANNEL_ORDER = [Channel.PUSH, Channel.EMAIL, Channel.SMS]
STATUS_ORDER = [
    DeliveryStatus.QUEUED,
    DeliveryStatus.SENDING,
    DeliveryStatus.SENT,
    DeliveryStatus.DELIVERED,
    DeliveryStatus.FAILED,
]


@dataclass(frozen=True)
class ChannelProgress:
    channel: str
    label: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def pending(self) -> int:
        return self.counts[DeliveryStatus.QUEUED] + self.counts[DeliveryStatus.SENDING]

    @property
    def done(self) -> int:
        return self.total - self.pending

    @property
    def percent(self) -> int:
        return math.floor(100 * self.done / self.total) if self.total else 100


@dataclass(frozen=True)
class OutboxProgress:
    """Where the deliveries of a group of messages (an alert and its follow-ups, an official
    message) stand, channel by channel."""

    channels: list[ChannelProgress]
    preparing: bool  # a message whose deliveries are not written yet
    waiting_until: datetime | None  # quiet hours: SMS and push wait until then
    sms_rate: float
    now: datetime
    messages: int = 0

    @property
    def total(self) -> int:
        return sum(c.total for c in self.channels)

    @property
    def pending(self) -> int:
        return sum(c.pending for c in self.channels)

    @property
    def done(self) -> int:
        return self.total - self.pending

    @property
    def running(self) -> bool:
        """Still moving: the page keeps polling while this is true."""
        return self.preparing or self.pending > 0

    @property
    def sms_remaining(self) -> int:
        return next((c.pending for c in self.channels if c.channel == Channel.SMS), 0)

    @property
    def sms_seconds_left(self) -> int:
        """Seconds until the last SMS leaves, at the contracted provider rate."""
        if not self.sms_remaining:
            return 0
        start = max(self.now, self.waiting_until) if self.waiting_until else self.now
        waiting = (start - self.now).total_seconds()
        return math.ceil(waiting + self.sms_remaining / self.sms_rate)

    @property
    def sms_minutes_left(self) -> int:
        return max(1, math.ceil(self.sms_seconds_left / 60)) if self.sms_remaining else 0

    @property
    def sms_last_at(self) -> datetime | None:
        if not self.sms_remaining:
            return None
        return self.now + timedelta(seconds=self.sms_seconds_left)

    def as_json(self) -> dict:
        last = self.sms_last_at
        return {
            "running": self.running,
            "preparing": self.preparing,
            "total": self.total,
            "pending": self.pending,
            "channels": [
                {
                    "channel": c.channel,
                    "label": str(c.label),
                    "total": c.total,
                    "done": c.done,
                    "percent": c.percent,
                    **{status: c.counts[status] for status in STATUS_ORDER},
                }
                for c in self.channels
            ],
            "sms_remaining": self.sms_remaining,
            "sms_rate_per_second": self.sms_rate,
            "sms_seconds_left": self.sms_seconds_left,
            "sms_last_at": last.isoformat() if last else None,
            "waiting_until": self.waiting_until.isoformat() if self.waiting_until else None,
        }


def deliveries_counts(*, message_ids: list[int]) -> dict[str, dict[str, int]]:
    """Deliveries of ``message_ids`` per channel and status, every channel and status listed
    (zero when none): one ``GROUP BY channel, status``, the one count of every progress
    display (the members' page, the admin's alert and message screens)."""
    counts = {channel: dict.fromkeys(STATUS_ORDER, 0) for channel in CHANNEL_ORDER}
    if message_ids:
        rows = (
            Delivery.objects.filter(message_id__in=message_ids)
            .values("channel", "status")
            .annotate(n=Count("*"))
            .order_by()
        )
        for row in rows:
            counts.setdefault(row["channel"], dict.fromkeys(STATUS_ORDER, 0))
            counts[row["channel"]][row["status"]] = row["n"]
    return counts


def deliveries_progress(
    *,
    messages: list[tuple[int, datetime | None, datetime | None]],
    preparing: bool,
    now: datetime | None = None,
) -> OutboxProgress:
    """Delivery counts per channel and status for ``messages`` (id, fanned out at, not before).

    One ``GROUP BY channel, status`` whatever the number of deliveries. ``COUNT(*)`` (not of
    a column) lets PostgreSQL answer from the ``(message, channel, status)`` index alone:
    about 35 ms for 100,000 deliveries on the 2-core test machine, against 90 ms reading
    the table. ``preparing``: the sender's word that a message's deliveries are still to be
    written (the page keeps polling).

    The estimate of the last SMS is the SMS still queued or sending divided by
    ``SMS_RATE_PER_SECOND`` (the rate the fan-out paces itself to), counted from the end
    of quiet hours when a message waits.
    """
    now = now or timezone.now()
    counts = deliveries_counts(message_ids=[pk for pk, _f, _n in messages])
    labels = dict(Channel.choices)
    # A channel nobody is reached on is left out, once the deliveries are written (while
    # they are not, e-mail and SMS rows wait on the page for the polling to fill them).
    channels = [
        ChannelProgress(channel=channel, label=labels.get(channel, channel), counts=statuses)
        for channel, statuses in counts.items()
        if sum(statuses.values()) or (preparing and channel != Channel.PUSH)
    ]
    waits = [not_before for _pk, _f, not_before in messages if not_before and not_before > now]
    return OutboxProgress(
        channels=channels,
        preparing=preparing,
        waiting_until=max(waits) if waits else None,
        sms_rate=float(getattr(settings, "SMS_RATE_PER_SECOND", 10.0)) or 10.0,
        now=now,
        messages=len(messages),
    )


# --- The call list ------------------------------------------------------------------------------


class UnreachableReason:
    FAILED = "failed"
    OPTED_OUT = "opted_out"
    NO_CONTACT = "no_contact"
    CHANNELS_OFF = "channels_off"
    EXPIRED = "expired"
    ENDED = "ended"
    EMAIL_UNDELIVERABLE = "email_undeliverable"

    LABELS = {
        FAILED: _("Tous les envois ont échoué"),
        OPTED_OUT: _("SMS refusés (STOP) et aucun autre moyen"),
        NO_CONTACT: _("Ni téléphone ni adresse e-mail"),
        CHANNELS_OFF: _("Alertes désactivées dans ses préférences"),
        EXPIRED: _("Non envoyé : l'alerte avait expiré"),
        ENDED: _("Non envoyé : l'alerte était déjà close"),
        EMAIL_UNDELIVERABLE: _("Adresse e-mail invalide (les e-mails reviennent)"),
    }


def unreached(queryset: QuerySet, *, message_id: int, user_field: str = "user") -> QuerySet:
    """The rows of ``queryset`` (one per member of a message's audience, the member in
    ``user_field``) whom message ``message_id`` did not reach.

    Not reached: no delivery at all (no phone and no e-mail, every channel turned off, or
    SMS refused with STOP and nothing else), or every delivery failed (or was not sent
    because the message had expired or ended by then). Members still queued or being sent
    to are not listed. Annotated for ``unreachable_reason``.
    """
    deliveries = Delivery.objects.filter(message_id=message_id, user=OuterRef(user_field))
    return queryset.annotate(
        has_delivery=Exists(deliveries),
        reached=Exists(deliveries.exclude(status=DeliveryStatus.FAILED)),
        expired=Exists(deliveries.filter(error_code=EXPIRED_ERROR_CODE)),
        ended=Exists(deliveries.filter(error_code=ENDED_ERROR_CODE)),
        has_push=has_push_device(user_field),
    ).filter(reached=False)


def unreachable_reason(row, *, user=None) -> str:
    """Why the message did not reach this member (a ``UnreachableReason`` value); ``row``
    comes from ``unreached``, ``user`` defaults to ``row.user``."""
    user = user or row.user
    if user.email and user.email_undeliverable_at:
        return UnreachableReason.EMAIL_UNDELIVERABLE  # the provider reported a bounce
    if row.has_delivery:
        # Not sent because the message was over before their turn came, rather than failed.
        if row.expired:
            return UnreachableReason.EXPIRED
        if row.ended:
            return UnreachableReason.ENDED
        return UnreachableReason.FAILED
    if sms_opted_out(user):
        return UnreachableReason.OPTED_OUT
    if not user.phone and not user.email and not row.has_push:
        return UnreachableReason.NO_CONTACT
    return UnreachableReason.CHANNELS_OFF
