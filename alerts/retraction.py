"""Withdrawing an alert already sent: what its correction will reach, cost and when it goes,
computed before the moderator confirms.

The figures come from the rules that write the correction, so what is shown is what is
sent: who it reaches is the correction's own audience (``alerts.fanout
.correction_audience_sql``: those the alert's deliveries actually reached, on the same
channels), its SMS is ``alerts.moderation.correction_sms_text`` counted in segments by the
outbox (``notifications.cost``), and when SMS and push leave is
``alerts.services.alert_message_not_before`` (quiet hours for an alert that has ended).
The withdrawal itself is ``alerts.moderation.alert_retract``.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.utils import timezone

from notifications.cost import SmsCostEstimate, euros, sms_cost_estimate
from notifications.models import Channel

from .fanout import correction_audience_sql
from .models import Alert, AlertMessage
from .moderation import correction_sms_text
from .services import alert_has_ended, alert_message_not_before


@dataclass(frozen=True)
class RetractionEstimate:
    """Who the correction of ``alert`` will reach per channel, what its SMS cost, and when
    its SMS and push may leave (``not_before``; None: at once)."""

    people: int
    reach: dict[str, int]
    sms_text: str
    sms: SmsCostEstimate
    ended: bool
    not_before: datetime | None

    @property
    def cost(self) -> str:
        """The SMS cost in euros, as the confirmation shows it."""
        return euros(self.sms.total)


def retraction_reach(*, alert: Alert) -> tuple[int, dict[str, int]]:
    """How many people the correction reaches, and how many on each channel: one query over
    the same SQL the outbox's fan-out writes the correction's deliveries from."""
    sql, params = correction_audience_sql(alert_id=alert.pk, before_withdrawal=True)
    sums = ", ".join(f"COALESCE(SUM(a.{channel.value}_ok), 0)" for channel in Channel)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), {sums} FROM ({sql}) a", params)  # noqa: S608
        people, *per_channel = cursor.fetchone()
    return people, {channel.value: int(n) for channel, n in zip(Channel, per_channel, strict=True)}


def retraction_estimate(*, alert: Alert, now: datetime | None = None) -> RetractionEstimate:
    """What withdrawing ``alert`` now would send: reach per channel, the correction's SMS
    and its cost (SMS recipients × segments × ``SMS_PRICE_PER_SEGMENT``), and whether quiet
    hours hold its SMS and push until morning."""
    now = now or timezone.now()
    people, reach = retraction_reach(alert=alert)
    sms_text = correction_sms_text(alert=alert)
    return RetractionEstimate(
        people=people,
        reach=reach,
        sms_text=sms_text,
        sms=sms_cost_estimate(text=sms_text, recipients=reach[Channel.SMS]),
        ended=alert_has_ended(alert=alert, now=now),
        not_before=alert_message_not_before(
            alert=alert, kind=AlertMessage.Kind.CORRECTION, now=now
        ),
    )
