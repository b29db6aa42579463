"""A commune's SMS budget: what its traffic cost this month, where the month is heading,
and whether the mairie's next non-urgent SMS may still go.

Spend is the sum of what the outbox recorded when each SMS left (``Delivery.segments`` ×
``Delivery.price_per_segment``) for every message the commune pays for
(``OutboxMessage.payer``: its residents' alerts, the mairie's broadcasts, targeted messages
and announcements, the notices to its members), from the first of the month in Paris
time. Not an estimate: an SMS counts once the provider took it. Summed from the outbox's
tallies (``notifications.tallies.sms_spent``), never by counting the month's deliveries.

The budget, in euros, is set by the platform team (``Commune.sms_budget``; empty: no
budget). It never stops residents' alerts, urgent broadcasts, corrections or notices:
those go, and the overrun shows on the dashboard. What it stops is a non-urgent mairie
broadcast, targeted message or announcement by SMS that would take the month's spend over
the budget (``sms_budget_refusal``); e-mail and push still go without it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.member_language import member_language
from notifications.channels.sms import sms_price_per_segment
from notifications.cost import euros
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.notices import notice_send
from notifications.sms.segments import sms_segments
from notifications.tallies import sms_spent

from .models import Commune, SmsBudgetWarning, StaffRole
from .roles import role_holders
from .wording import of_place

CENT = Decimal("0.01")
WARNING_THRESHOLDS = (80, 100)
SMS_BUDGET_KIND = "sms_budget"


class BudgetState:
    NONE = "none"  # no budget set
    OK = "ok"
    WARNING = "warning"  # 80 % or more
    OVER = "over"  # 100 % or more


def month_start(*, now: datetime) -> datetime:
    """The first instant of ``now``'s month, in Paris time (the commune's month)."""
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class SmsSpend:
    month_start: datetime
    sms: int
    segments: int
    cost: Decimal


def sms_spend(*, commune: Commune, now: datetime | None = None) -> SmsSpend:
    """The SMS the commune pays for since the first of the month: how many, their segments
    and what the outbox recorded they cost. Two queries, on the outbox's tallies
    (``notifications.tallies``), exact at this moment."""
    now = now or timezone.now()
    return _spend_of(sms_spent(since=month_start(now=now), payer_ids=[commune.pk]), commune.pk, now)


def _spend_of(spent: dict, commune_id: int, now: datetime) -> SmsSpend:
    row = spent.get(commune_id, {"sms": 0, "segments": 0, "cost": Decimal(0)})
    return SmsSpend(
        month_start=month_start(now=now),
        sms=row["sms"],
        segments=row["segments"],
        cost=row["cost"].quantize(CENT),
    )


def _forecast(*, cost: Decimal, now: datetime) -> Decimal:
    """The month's spend if it goes on as it went: linear on the days elapsed (today
    counts as a whole day, so that the 1st does not multiply one morning by 31)."""
    local = timezone.localtime(now)
    days = calendar.monthrange(local.year, local.month)[1]
    return (cost * days / local.day).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class SmsBudget:
    """The month's spend against the commune's budget (``budget`` None: no budget)."""

    spend: SmsSpend
    budget: Decimal | None
    forecast: Decimal
    # SMS written but not sent yet (held until 8 h, paced), at today's price: what the
    # budget already owes them when a new send is weighed. Zero unless asked for.
    engaged: Decimal = Decimal(0)

    @property
    def cost(self) -> Decimal:
        return self.spend.cost

    @property
    def sms(self) -> int:
        return self.spend.sms

    @property
    def segments(self) -> int:
        return self.spend.segments

    @property
    def percent(self) -> int | None:
        """Share of the budget spent, rounded down (79.9 % is 79 %: not yet the warning)."""
        if self.budget is None:
            return None
        if self.budget <= 0:
            return 100 if self.cost > 0 else 0
        return int(self.cost * 100 / self.budget)

    @property
    def forecast_percent(self) -> int | None:
        if self.budget is None or self.budget <= 0:
            return None
        return int(self.forecast * 100 / self.budget)

    @property
    def warning_at(self) -> Decimal | None:
        """The spend from which the month is at 80 % (where a gauge turns amber)."""
        if self.budget is None:
            return None
        return (self.budget * WARNING_THRESHOLDS[0] / 100).quantize(CENT)

    @property
    def over_at(self) -> Decimal | None:
        """Just under the budget: a gauge at or past it reads as over (red)."""
        if self.budget is None:
            return None
        return max(self.budget - CENT, Decimal(0))

    @property
    def remaining(self) -> Decimal | None:
        if self.budget is None:
            return None
        return max(self.budget - self.cost - self.engaged, Decimal(0))

    @property
    def overrun(self) -> Decimal:
        if self.budget is None:
            return Decimal(0)
        return max(self.cost - self.budget, Decimal(0))

    @property
    def state(self) -> str:
        if self.budget is None:
            return BudgetState.NONE
        if self.cost >= self.budget:
            return BudgetState.OVER
        if self.percent >= WARNING_THRESHOLDS[0]:
            return BudgetState.WARNING
        return BudgetState.OK

    def allows(self, cost: Decimal) -> bool:
        """Whether a non-urgent send costing ``cost`` keeps the month within the budget.

        A send with no SMS always may; one with SMS may while the spend, the SMS still
        waiting to leave and its own cost stay at or under the budget (a send that would
        cross it is refused whole, not cut)."""
        if self.budget is None or cost <= 0:
            return True
        return self.cost + self.engaged + cost <= self.budget


def sms_budget_of(*, commune: Commune, spend: SmsSpend, now: datetime) -> SmsBudget:
    """The budget figures from a spend already read: no query."""
    return SmsBudget(
        spend=spend, budget=commune.sms_budget, forecast=_forecast(cost=spend.cost, now=now)
    )


def sms_engaged(*, commune: Commune, now: datetime) -> Decimal:
    """What the commune's SMS written this month but not sent yet will cost, at today's
    price: a non-urgent send held until 8 h counts against the budget before it leaves, so
    that two of them in one evening cannot both pass. One query."""
    waiting = (
        Delivery.objects.filter(
            channel=Channel.SMS,
            status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING],
            message__payer=commune,
            created_at__gte=month_start(now=now),
        )
        .values("message__text")
        .annotate(n=Count("pk"))
        .order_by()
    )
    segments = sum(sms_segments(row["message__text"]).segments * row["n"] for row in waiting)
    return (sms_price_per_segment() * segments).quantize(CENT, rounding=ROUND_HALF_UP)


def sms_budget(
    *, commune: Commune, now: datetime | None = None, with_engaged: bool = False
) -> SmsBudget:
    """The commune's month: spend, forecast to the month's end, budget and state. One
    query; with the SMS still waiting to leave (``with_engaged``, to weigh a new send),
    two when the commune has a budget."""
    now = now or timezone.now()
    budget = sms_budget_of(commune=commune, spend=sms_spend(commune=commune, now=now), now=now)
    if with_engaged and budget.budget is not None:
        budget = replace(budget, engaged=sms_engaged(commune=commune, now=now))
    return budget


def sms_budget_refusal(
    *, commune: Commune, cost: Decimal, now: datetime | None = None
) -> str | None:
    """Why a non-urgent mairie send whose SMS cost ``cost`` may not go (None: it may).

    Only for the mairie's non-urgent broadcasts, targeted messages and announcements by
    SMS; callers never ask it about residents' alerts, urgent broadcasts, corrections or
    notices, which always go. The message says what remains possible: the same send
    without SMS (e-mail and push), or an urgent broadcast for a real emergency.
    """
    budget = sms_budget(commune=commune, now=now, with_engaged=True)
    if budget.allows(cost):
        return None
    return _(
        "Le budget SMS de la commune pour ce mois (%(budget)s) ne permet pas cet envoi : "
        "ses SMS coûteraient %(cost)s et il reste %(remaining)s. Vous pouvez l'envoyer sans "
        "SMS : l'e-mail et les notifications partent comme prévu, seuls les membres qui ne "
        "participent que par SMS ne le recevront pas. En cas d'urgence réelle, une alerte "
        "urgente part toujours par SMS. L'équipe de la plateforme peut relever le budget."
    ) % {
        "budget": euros(budget.budget),
        "cost": euros(cost),
        "remaining": euros(budget.remaining),
    }


# --- Telling the mairie's administrators ------------------------------------------------------


def _warning_texts(*, commune: Commune, budget: SmsBudget, threshold: int) -> tuple[str, str]:
    values = {
        "commune": commune.name,
        "of_commune": of_place(commune.name),
        "percent": budget.percent,
        "cost": euros(budget.cost),
        "budget": euros(budget.budget),
        "forecast": euros(budget.forecast),
    }
    if threshold >= 100:
        subject = _("Budget SMS atteint — %(commune)s") % values
        text = (
            _(
                "Bonjour,\n\nLes SMS %(of_commune)s ont coûté %(cost)s ce mois-ci, soit "
                "%(percent)s %% du budget mensuel de %(budget)s.\n\nJusqu'à la fin du mois, les "
                "diffusions non urgentes de la mairie, ses messages ciblés et ses annonces partent "
                "sans SMS (par e-mail et notification). Les alertes des habitants, les alertes "
                "urgentes et les rectificatifs partent toujours par SMS ; le dépassement est "
                "indiqué sur le tableau de bord.\n\nPour relever le budget, écrivez à l'équipe "
                "de la plateforme."
            )
            % values
        )
    else:
        subject = _("Budget SMS à %(percent)s %% — %(commune)s") % values
        text = (
            _(
                "Bonjour,\n\nLes SMS %(of_commune)s ont coûté %(cost)s ce mois-ci, soit "
                "%(percent)s %% du budget mensuel de %(budget)s. À ce rythme, le mois finirait "
                "à %(forecast)s.\n\nUne fois le budget atteint, les diffusions non urgentes de la "
                "mairie partiront sans SMS ; les alertes des habitants et les alertes urgentes "
                "partent toujours."
            )
            % values
        )
    return subject, text


def _warn(*, commune: Commune, budget: SmsBudget, thresholds: list[int], month: date) -> bool:
    """Record the warnings of ``thresholds`` and tell the administrators about the highest
    (a month that jumps past both 80 % and 100 % gets one e-mail), once: a second check,
    or a second worker at the same moment, finds the rows and sends nothing."""
    threshold = max(thresholds)
    try:
        with transaction.atomic():
            SmsBudgetWarning.objects.bulk_create(
                [SmsBudgetWarning(commune=commune, month=month, threshold=t) for t in thresholds]
            )
            for user in role_holders(commune=commune, role=StaffRole.ADMINISTRATOR):
                if not user.email:
                    continue
                with override(member_language(user)):
                    subject, text = _warning_texts(
                        commune=commune, budget=budget, threshold=threshold
                    )
                notice_send(
                    user=user,
                    kind=SMS_BUDGET_KIND,
                    subject=subject,
                    text=text,
                    channels=[Channel.EMAIL],
                    payer=commune,
                )
    except IntegrityError:
        return False
    return True


def sms_budgets_check(*, now: datetime | None = None) -> int:
    """Tell the administrators of each commune whose month reached 80 % or 100 % of its
    budget, by e-mail through the outbox, once per threshold and month; return how many
    communes were told. Four queries, plus the writes of a warning.

    Run every few minutes by Celery beat: an SMS counts once the provider took it, so a
    threshold is noticed at most a few minutes after the delivery that crossed it.
    """
    now = now or timezone.now()
    communes = list(Commune.objects.filter(sms_budget__isnull=False))
    spent = sms_spent(since=month_start(now=now), payer_ids=[commune.pk for commune in communes])
    month = month_start(now=now).date()
    done = set(SmsBudgetWarning.objects.filter(month=month).values_list("commune_id", "threshold"))
    warned = 0
    for commune in communes:
        if commune.pk not in spent:
            continue
        spend = _spend_of(spent, commune.pk, now)
        budget = sms_budget_of(commune=commune, spend=spend, now=now)
        reached = [
            threshold
            for threshold in WARNING_THRESHOLDS
            if budget.percent >= threshold and (commune.pk, threshold) not in done
        ]
        if reached:
            warned += _warn(commune=commune, budget=budget, thresholds=reached, month=month)
    return warned
