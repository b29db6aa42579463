"""What a mairie broadcast will cost and when it will arrive, computed before it is sent.

The confirmation screen shows staff how many people each channel reaches (counted with the
fan-out's own ``audience_sql``, so the figure shown is the number of deliveries written),
the SMS as recipients will read it, its segments and encoding, the estimated cost, when the
last SMS should leave at the contracted rate, whether quiet hours hold SMS and push, and
what remains of the commune's SMS budget for the month.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.utils import timezone

from communities.models import Commune
from communities.sms_budget import SmsBudget, sms_budget, sms_budget_refusal
from notifications.cost import sms_cost_estimate
from notifications.models import Channel
from notifications.quiet_hours import quiet_hours_end
from notifications.sms.segments import SmsSegmentation

from .fanout import CHANNEL_CONDITIONS, audience_sql
from .models import Alert
from .sms_text import broadcast_sms_text


def audience_community_ids(*, commune: Commune, communities=()) -> list[int]:
    """The communities a broadcast reaches: those chosen, or every one of the commune."""
    chosen = [community.pk for community in communities]
    return chosen or list(commune.communities.values_list("pk", flat=True))


def broadcast_reach(*, commune: Commune, communities=(), author=None) -> dict[str, int]:
    """How many people a broadcast to ``communities`` (none = the whole commune) reaches on
    each channel: the same rule, in the same SQL, as the deliveries the fan-out writes.

    A channel the fan-out does not write counts zero.
    """
    community_ids = audience_community_ids(commune=commune, communities=communities)
    reach = dict.fromkeys(Channel.values, 0)
    with connection.cursor() as cursor:
        for channel in CHANNEL_CONDITIONS:
            sql, params = audience_sql(
                channel=channel,
                community_ids=community_ids,
                commune_id=commune.pk,
                exclude_user_id=author.pk if author is not None else None,
            )
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) a", params)  # noqa: S608
            reach[channel] = cursor.fetchone()[0]
    return reach


@dataclass(frozen=True)
class BroadcastEstimate:
    reach: dict[str, int]
    sms_text: str
    segmentation: SmsSegmentation
    price_per_segment: Decimal
    cost: Decimal
    sms_seconds: float
    not_before: datetime | None
    last_sms_at: datetime
    budget: SmsBudget | None = None
    urgent: bool = True
    without_sms: bool = False

    @property
    def budget_refused(self) -> bool:
        """Whether ``broadcast_post`` will refuse it: non-urgent, with SMS, over budget."""
        if self.urgent or self.without_sms or self.budget is None:
            return False
        return not self.budget.allows(self.cost)

    @property
    def budget_overrun(self) -> bool:
        """An urgent broadcast that takes the month over the budget: it goes all the same."""
        if not self.urgent or self.without_sms or self.budget is None:
            return False
        return not self.budget.allows(self.cost)

    @property
    def sms_count(self) -> int:
        return self.reach.get(Channel.SMS, 0)

    @property
    def total(self) -> int:
        return sum(self.reach.values())


def broadcast_estimate(
    *,
    commune: Commune,
    category: str,
    text: str,
    communities=(),
    urgent: bool = True,
    transliterate: bool = False,
    without_sms: bool = False,
    author=None,
    now: datetime | None = None,
) -> BroadcastEstimate:
    """Reach per channel, the final SMS, its segments, the cost, when the SMS will go, and
    the commune's SMS budget this cost would draw on.

    Cost = SMS recipients × segments × ``SMS_PRICE_PER_SEGMENT``. The last SMS leaves
    SMS recipients / ``SMS_RATE_PER_SECOND`` seconds after sending starts: at once, or at
    the end of quiet hours for a non-urgent broadcast. Sent ``without_sms``, nobody is
    reached by SMS and it costs nothing.
    """
    now = now or timezone.now()
    reach = broadcast_reach(commune=commune, communities=communities, author=author)
    if without_sms:
        reach[Channel.SMS] = 0
    sms_text = broadcast_sms_text(
        alert=Alert(commune=commune, category=category), text=text, transliterate=transliterate
    )
    sms_cost = sms_cost_estimate(text=sms_text, recipients=reach[Channel.SMS])
    rate = float(settings.SMS_RATE_PER_SECOND) or 1.0
    seconds = reach[Channel.SMS] / rate
    not_before = None if urgent else quiet_hours_end(now=now)
    return BroadcastEstimate(
        reach=reach,
        sms_text=sms_text,
        segmentation=sms_cost.segmentation,
        price_per_segment=sms_cost.price_per_segment,
        cost=sms_cost.total,
        sms_seconds=seconds,
        not_before=not_before,
        last_sms_at=(not_before or now) + timedelta(seconds=seconds),
        budget=sms_budget(commune=commune, now=now, with_engaged=True),
        urgent=urgent,
        without_sms=without_sms,
    )


def broadcast_sms_budget_refusal(
    *,
    commune: Commune,
    category: str,
    text: str,
    communities=(),
    transliterate: bool = False,
    author=None,
) -> str | None:
    """Why a non-urgent broadcast's SMS may not go this month (None: they may): their cost,
    counted as the confirmation screen counts it, against what remains of the budget."""
    if commune.sms_budget is None:
        return None
    reach = broadcast_reach(commune=commune, communities=communities, author=author)
    sms_text = broadcast_sms_text(
        alert=Alert(commune=commune, category=category), text=text, transliterate=transliterate
    )
    cost = sms_cost_estimate(text=sms_text, recipients=reach[Channel.SMS]).total
    return sms_budget_refusal(commune=commune, cost=cost)
