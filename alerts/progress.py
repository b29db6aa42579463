"""Where an alert's messages stand, read through the outbox: progress and the call list.

The counting and the reasons are the outbox's (``notifications.progress``); what is the
alert's is which messages belong to it, whether they are still being prepared (a held or
withdrawn alert prepares nothing), and whose absence from the deliveries means someone
was not reached: the verified members of its communities.
"""

from datetime import datetime

from django.db.models import QuerySet

from communities.models import Membership, MembershipStatus
from notifications.progress import (
    OutboxProgress,
    UnreachableReason,
    deliveries_progress,
    unreachable_reason,
    unreached,
)

from .fanout import alert_target_community_ids
from .models import WITHDRAWN_STATUSES, Alert, AlertMessage, ModerationStatus

AlertProgress = OutboxProgress

__all__ = [
    "AlertProgress",
    "UnreachableReason",
    "alert_progress",
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
