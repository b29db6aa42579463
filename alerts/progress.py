"""Where an alert's messages stand, read through the outbox: progress and the call list.

The counting and the reasons are the outbox's (``notifications.progress``); what is the
alert's is which messages belong to it, whether they are still being prepared (a held or
withdrawn alert prepares nothing), and whose absence from the deliveries means someone
was not reached: the verified members of its communities.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from communities.models import Membership, MembershipStatus
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.progress import (
    OutboxProgress,
    UnreachableReason,
    deliveries_counts,
    deliveries_progress,
    unreachable_reason,
    unreached,
)

from .fanout import alert_target_community_ids
from .models import WITHDRAWN_STATUSES, Alert, AlertMessage, ModerationStatus
from .permissions import AlertRights

AlertProgress = OutboxProgress

__all__ = [
    "AlertProgress",
    "AlertReach",
    "UnreachableReason",
    "alert_delivery_shown",
    "alert_progress",
    "alert_reach",
    "alert_reach_recent",
    "unreachable_memberships",
    "unreachable_reason",
]


def alert_progress(*, alert: Alert, now: datetime | None = None) -> OutboxProgress:
    """Delivery counts per channel and status for every message of ``alert``: two queries
    whatever the number of deliveries (see ``notifications.progress``)."""
    messages = list(
        AlertMessage.objects.filter(alert=alert).values_list("pk", "fanned_out_at", "not_before")
    )
    held = alert.moderation_status == ModerationStatus.HELD
    withdrawn = alert.moderation_status in WITHDRAWN_STATUSES
    preparing = not held and not withdrawn and any(fanned is None for _pk, fanned, _n in messages)
    return deliveries_progress(messages=messages, preparing=preparing, now=now)


# The order residents read the channels in, and how each is said after "reçue".
REACH_CHANNELS = [Channel.SMS, Channel.EMAIL, Channel.PUSH]


def _by_channel(channel: str) -> str:
    return {
        Channel.SMS: _("par SMS"),
        Channel.EMAIL: _("par e-mail"),
        Channel.PUSH: _("par notification"),
    }[channel]


@dataclass(frozen=True)
class AlertReach:
    """Whom an alert itself (not its follow-ups) was sent to, as its author and neighbours
    read it: how many people, how many received it on each channel (sent or delivered),
    how many sendings are still under way."""

    preparing: bool
    recipients: int
    received: dict[str, int]
    pending: int

    @property
    def sentence(self) -> str:
        """« Envoyée à 42 personnes : 38 l'ont reçue par SMS, 30 par e-mail, 12 par
        notification. », in plain French, plurals included."""
        if self.preparing:
            return _("Envoi en préparation…")
        lead = ngettext(
            "Envoyée à %(count)d personne", "Envoyée à %(count)d personnes", self.recipients
        ) % {"count": self.recipients}
        parts = []
        for channel in REACH_CHANNELS:
            count = self.received.get(channel, 0)
            if not count:
                continue
            by = _by_channel(channel)
            if parts:
                parts.append(_("%(count)d %(by)s") % {"count": count, "by": by})
            else:
                parts.append(
                    ngettext("%(count)d l'a reçue %(by)s", "%(count)d l'ont reçue %(by)s", count)
                    % {"count": count, "by": by}
                )
        if parts:
            details = ", ".join(parts) + "."
        elif self.pending:
            details = _("les envois commencent.")
        else:
            details = _("aucun envoi n'a abouti.")
        sentence = _("%(lead)s : %(details)s") % {"lead": lead, "details": details}
        if parts and self.pending:
            sentence += " " + ngettext(
                "%(count)d envoi est encore en cours.",
                "%(count)d envois sont encore en cours.",
                self.pending,
            ) % {"count": self.pending}
        return sentence


def alert_reach(*, alert: Alert) -> AlertReach | None:
    """The reach of ``alert``'s first message, read from the outbox (``deliveries_counts``)
    plus one count of distinct recipients. None while the alert is held or when nothing was
    ever to be sent (withdrawn before it left)."""
    first = (
        AlertMessage.objects.filter(alert=alert, kind=AlertMessage.Kind.ALERT)
        .order_by("created_at", "pk")
        .first()
    )
    if first is None or alert.moderation_status == ModerationStatus.HELD:
        return None
    if first.fanned_out_at is None:
        if alert.moderation_status in WITHDRAWN_STATUSES:
            return None
        return AlertReach(preparing=True, recipients=0, received={}, pending=0)
    counts = deliveries_counts(message_ids=[first.pk])
    received = {
        channel: statuses[DeliveryStatus.SENT] + statuses[DeliveryStatus.DELIVERED]
        for channel, statuses in counts.items()
    }
    pending = sum(
        statuses[DeliveryStatus.QUEUED] + statuses[DeliveryStatus.SENDING]
        for statuses in counts.values()
    )
    recipients = Delivery.objects.filter(message_id=first.pk).values("user_id").distinct().count()
    return AlertReach(preparing=False, recipients=recipients, received=received, pending=pending)


def alert_reach_recent(*, alert: Alert, max_age: int) -> AlertReach | None:
    """``alert_reach``, read at most ``max_age`` seconds ago by anyone.

    The page an alert's SMS links to is opened by a third of its community within minutes,
    while its deliveries are still being counted: each reader would otherwise count them
    again (two aggregates over up to a hundred thousand rows). The counts are shared for a
    few seconds; the author's page then polls the exact figures (``alert_progress_json``).
    The key holds the moderation status, so a withdrawal or a held alert is never answered
    from the sending's counts."""
    key = f"alert-reach:{alert.pk}:{alert.moderation_status}"
    cached = cache.get(key)
    if cached is not None:
        return cached[0]
    reach = alert_reach(alert=alert)
    cache.set(key, (reach,), max_age)
    return reach


def alert_delivery_shown(
    *, alert: Alert, rights: AlertRights, max_age: int = 0
) -> tuple[OutboxProgress | None, AlertReach | None]:
    """What the alert's page (and the API) tell ``rights`` of its sending: the alert staff
    follow each channel and status (``alert_progress``); the author and the neighbours who
    read the alert get the plain counts of who received it (``alert_reach``; at most
    ``max_age`` seconds old when given, ``alert_reach_recent``), never the per-channel
    failures. One of the two is None; both are when there is nothing to say (a held alert,
    to neighbours)."""
    if rights.sees_delivery_detail:
        return alert_progress(alert=alert), None
    if max_age > 0:
        return None, alert_reach_recent(alert=alert, max_age=max_age)
    return None, alert_reach(alert=alert)


def unreachable_memberships(*, alert: Alert) -> QuerySet[Membership]:
    """Verified members of the alert's communities whom its first message did not reach.

    The outbox's reading (``notifications.progress.unreached``) of the alert's audience;
    the author is left out (they wrote it). Empty while the alert is held or its
    deliveries are not written yet.
    """
    first = (
        AlertMessage.objects.filter(alert=alert, kind=AlertMessage.Kind.ALERT)
        .order_by("created_at", "pk")
        .first()
    )
    if first is None or first.fanned_out_at is None:
        return Membership.objects.none()
    audience = Membership.objects.filter(
        status=MembershipStatus.VERIFIED,
        community_id__in=alert_target_community_ids(alert=alert),
        user__is_active=True,
    ).exclude(user_id=alert.author_id or 0)
    return (
        unreached(audience, message_id=first.pk)
        .select_related("user", "user__profile", "community")
        .order_by("community__name", "user__last_name", "user__first_name", "pk")
    )
