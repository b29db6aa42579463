"""The mairie's figures: one plain function per figure, each taking ``commune`` and ``now``.

Every figure is a set-based read (``aggregate`` or ``values().annotate()``, one ``GROUP BY``
per question), so a commune of 150,000 members costs the same number of queries as one of
ten: ``tests/test_dashboard_figures.py`` counts them at two data sizes. Figures are counts
only: no member's name, address or message text leaves this module, except the name of the
police officer who took an alert in charge (staff see it on the alert already).

Some reads here belong, by their subject, to the app that owns the data (they stay here
until those apps offer them): the monthly joins and the per-community counts to
``communities.selectors``, the channel shares to ``notifications.tallies``,
the moderation and police waits to ``alerts.moderation``/``alerts.views``' selectors.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Avg, Count, F, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alerts.models import (
    Alert,
    AlertCategory,
    AlertMessage,
    ModerationStatus,
)
from communities.models import Commune, Community, Membership, MembershipStatus
from communities.sms_budget import SmsBudget, sms_budget
from dashboard.models import MembershipDayCount
from gazette.models import Comment, GazettePost
from messaging.models import Message, OfficialSend
from moderation.models import Report, ReportStatus
from notifications.models import Channel, DeliveryTally, MessageTally, OutboxMessage

# Alerts that went out (or went out and were withdrawn): a held alert not yet decided,
# or refused, reached nobody and is counted in the moderation queue instead.
NOT_SENT_STATUSES = [ModerationStatus.HELD, ModerationStatus.REJECTED]
# The window of the activity figures (gazette, messaging, channel shares, communities).
ACTIVITY_DAYS = 30
MONTHS = 12
POLICE_LIST_LENGTH = 50
CALL_LIST_LINKS = 5


# --- Periods and trends ---------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    key: str
    days: int
    label: str


PERIODS = [
    Period("week", 7, _("7 derniers jours")),
    Period("month", 30, _("30 derniers jours")),
    Period("year", 365, _("12 derniers mois")),
]


@dataclass(frozen=True)
class Trend:
    """A count over a period and over the period just before it."""

    current: int
    previous: int

    @property
    def change(self) -> int:
        return self.current - self.previous

    @property
    def direction(self) -> str:
        return "up" if self.change > 0 else "down" if self.change < 0 else "same"


def _period_counts(*, field_name: str, now: datetime) -> dict:
    """``Count`` expressions for each period and the one before it, on ``field_name``."""
    counts = {}
    for period in PERIODS:
        start = now - timedelta(days=period.days)
        before = start - timedelta(days=period.days)
        counts[f"{period.key}_now"] = Count(
            "pk", filter=Q(**{f"{field_name}__gt": start, f"{field_name}__lte": now})
        )
        counts[f"{period.key}_before"] = Count(
            "pk", filter=Q(**{f"{field_name}__gt": before, f"{field_name}__lte": start})
        )
    return counts


def _trends(row: dict) -> dict[str, Trend]:
    return {
        period.key: Trend(
            current=row.get(f"{period.key}_now") or 0,
            previous=row.get(f"{period.key}_before") or 0,
        )
        for period in PERIODS
    }


def month_starts(*, now: datetime) -> list[datetime]:
    """The first instants of the last ``MONTHS`` months, oldest first, in local time."""
    local = timezone.localtime(now)
    year, month = local.year, local.month
    starts = []
    for _i in range(MONTHS):
        starts.append(local.replace(year=year, month=month, day=1, hour=0, minute=0, second=0))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return [start.replace(microsecond=0) for start in reversed(starts)]


def _by_month(rows, *, now: datetime, key: str = "month", value: str = "n") -> list[tuple]:
    counts: dict = {}
    for row in rows:
        month = timezone.localtime(row[key]).date().replace(day=1)
        counts[month] = counts.get(month, 0) + row[value]
    return [(start, counts.get(start.date(), 0)) for start in month_starts(now=now)]


# --- Members and registrations ----------------------------------------------------------------


@dataclass
class CommunityRow:
    pk: int
    name: str
    verified: int = 0
    pending: int = 0
    joined: int = 0  # in the last ACTIVITY_DAYS
    alerts: dict[str, Trend] = field(default_factory=dict)

    @property
    def activity(self) -> int:
        """Alerts of the last 30 days and new members of the last 30 days."""
        month = self.alerts.get("month")
        return (month.current if month else 0) + self.joined


@dataclass
class Members:
    verified: int
    pending: int
    left: int
    joins_by_month: list[tuple[datetime, int]]
    communities: list[CommunityRow]
    departures_by_month: list[tuple[datetime, int]] = field(default_factory=list)

    @property
    def joins_last_12_months(self) -> int:
        return sum(n for _m, n in self.joins_by_month)

    @property
    def departures_last_12_months(self) -> int:
        return sum(n for _m, n in self.departures_by_month)

    @property
    def by_month(self) -> list[tuple[datetime, int, int]]:
        """(month, joins, departures) for each of the 12 months, oldest first."""
        return [
            (start, joins, departures)
            for (start, joins), (_s, departures) in zip(
                self.joins_by_month, self.departures_by_month, strict=True
            )
        ]


def members(*, commune: Commune, now: datetime) -> Members:
    """Verified and pending members, by community, and who joined and who left in each of
    12 months. Two queries, on the member counts (``dashboard.member_counts``: a row per
    community, and per community and day), never on the memberships.

    A join is a membership a moderator verified (``decided_at``), still verified or left
    since; a departure is a verified membership that ended (``left_at``: the member left or
    moved to another community). A request withdrawn before its decision is neither. An
    erased account takes its memberships with it, its join as well as its departure.
    """
    since = timezone.localtime(now - timedelta(days=ACTIVITY_DAYS)).date()
    starts = month_starts(now=now)
    monthly = (
        MembershipDayCount.objects.filter(commune=commune, day__gte=starts[0].date())
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(joins=Sum("joins"), departures=Sum("departures"))
        .order_by()
    )
    by_month = {row["month"]: row for row in monthly}
    joined_lately = (
        MembershipDayCount.objects.filter(community=OuterRef("pk"), day__gt=since)
        .values("community")
        .annotate(n=Sum("joins"))
        .values("n")
    )
    # The commune's totals are the sums of its communities' rows.
    rows = list(
        Community.objects.filter(commune=commune)
        .annotate(
            verified=Coalesce(F("member_count__verified"), 0),
            pending=Coalesce(F("member_count__pending"), 0),
            left=Coalesce(F("member_count__left"), 0),
            joined=Coalesce(Subquery(joined_lately), 0),
        )
        .values("pk", "name", "verified", "pending", "left", "joined")
        .order_by("name")
    )
    communities = [
        CommunityRow(
            pk=row["pk"],
            name=row["name"],
            verified=row["verified"],
            pending=row["pending"],
            joined=row["joined"],
        )
        for row in rows
    ]

    def count(start, key):
        return (by_month.get(start.date()) or {}).get(key) or 0

    return Members(
        verified=sum(row["verified"] for row in rows),
        pending=sum(row["pending"] for row in rows),
        left=sum(row["left"] for row in rows),
        joins_by_month=[(start, count(start, "joins")) for start in starts],
        departures_by_month=[(start, count(start, "departures")) for start in starts],
        communities=communities,
    )


@dataclass(frozen=True)
class Registrations:
    waiting: int
    oldest_at: datetime | None
    now: datetime

    @property
    def oldest_age(self) -> timedelta | None:
        return self.now - self.oldest_at if self.oldest_at else None


def registrations(*, commune: Commune, now: datetime) -> Registrations:
    """Registrations waiting for a decision, and since when the oldest waits. One query."""
    row = Membership.objects.filter(
        community__commune=commune, status=MembershipStatus.PENDING
    ).aggregate(waiting=Count("pk"), oldest=Min("requested_at"))
    return Registrations(waiting=row["waiting"], oldest_at=row["oldest"], now=now)


# --- Alerts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryRow:
    key: str
    label: str
    trends: dict[str, Trend]


@dataclass
class Alerts:
    totals: dict[str, Trend]
    by_category: list[CategoryRow]
    by_community: dict[int | None, dict[str, Trend]]
    by_month: list[tuple[datetime, int]]

    @property
    def mairie(self) -> dict[str, Trend]:
        """The mairie's broadcasts to several communities or to all (no single community)."""
        return self.by_community.get(None, _trends({}))


def _sent_alerts(commune: Commune):
    return Alert.objects.filter(commune=commune).exclude(moderation_status__in=NOT_SENT_STATUSES)


def alerts(*, commune: Commune, now: datetime) -> Alerts:
    """Alerts sent over the last 7 days, 30 days and 12 months, each against the period
    before it, in total, by category and by community, and per calendar month. Four queries."""
    sent = _sent_alerts(commune)
    counts = _period_counts(field_name="created_at", now=now)
    history = now - timedelta(days=2 * PERIODS[-1].days)
    totals = _trends(sent.aggregate(**counts))
    labels = dict(AlertCategory.choices)
    categories = [
        CategoryRow(
            key=row["category"],
            label=labels.get(row["category"], row["category"]),
            trends=_trends(row),
        )
        for row in sent.filter(created_at__gt=history)
        .values("category")
        .annotate(**counts)
        .order_by("category")
    ]
    categories.sort(key=lambda row: (-row.trends["year"].current, str(row.label)))
    by_community = {
        row["community_id"]: _trends(row)
        for row in sent.filter(created_at__gt=history)
        .values("community_id")
        .annotate(**counts)
        .order_by()
    }
    monthly = (
        sent.filter(created_at__gte=month_starts(now=now)[0])
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return Alerts(
        totals=totals,
        by_category=categories,
        by_community=by_community,
        by_month=_by_month(monthly, now=now),
    )


# --- Channels: what the alerts' deliveries reached -----------------------------------------------


@dataclass(frozen=True)
class ChannelShare:
    channel: str
    label: str
    delivered: int
    failed: int
    pending: int

    @property
    def total(self) -> int:
        return self.delivered + self.failed + self.pending

    def percent(self, value: int) -> int:
        return round(100 * value / self.total) if self.total else 0

    @property
    def delivered_percent(self) -> int:
        return self.percent(self.delivered)

    @property
    def failed_percent(self) -> int:
        return self.percent(self.failed)

    @property
    def pending_percent(self) -> int:
        return self.percent(self.pending)


@dataclass
class Channels:
    shares: list[ChannelShare]
    unreached: int  # members one of the alerts reached on no channel (every delivery failed)
    call_lists: list[tuple[int, str, datetime]]  # alerts with members to phone: (pk, label, at)


def _alert_messages_since(commune: Commune, since: datetime):
    return OutboxMessage.objects.filter(
        alert_message__alert__commune=commune, created_at__gt=since
    ).values("pk")


def channels(*, commune: Commune, now: datetime) -> Channels:
    """What share of the last 30 days' alert deliveries each channel delivered, failed or
    still has to send, how many members an alert reached on no channel at all, and the
    newest alerts that reached someone on no channel (their call list has someone to phone).
    Three queries, on the outbox's tallies (``notifications.tallies``: a few rows per
    message, counted again every minute while a message is open), never on the deliveries.

    Delivered counts what the provider took or confirmed (``sent``, ``delivered``): e-mail
    providers rarely confirm more. The unreached members are those of ``notifications.
    progress.unreached`` that have deliveries (every one failed); the call list also names
    members who had no channel at all.
    """
    messages = _alert_messages_since(commune, now - timedelta(days=ACTIVITY_DAYS))
    rows = (
        DeliveryTally.objects.filter(message__in=messages)
        .values("channel")
        .annotate(delivered=Sum("delivered"), failed=Sum("failed"), pending=Sum("pending"))
        .order_by()
    )
    by_channel = {row["channel"]: row for row in rows}
    labels = dict(Channel.choices)
    shares = [
        ChannelShare(
            channel=channel,
            label=labels[channel],
            delivered=by_channel[channel]["delivered"],
            failed=by_channel[channel]["failed"],
            pending=by_channel[channel]["pending"],
        )
        for channel in (Channel.PUSH, Channel.EMAIL, Channel.SMS)
        if channel in by_channel
    ]
    failed_messages = MessageTally.objects.filter(message__in=messages, unreached__gt=0)
    unreached = failed_messages.aggregate(n=Sum("unreached"))["n"] or 0
    category_labels = dict(AlertCategory.choices)
    call_lists = [
        (row["alert_id"], category_labels.get(row["alert__category"], ""), row["at"])
        for row in AlertMessage.objects.filter(pk__in=failed_messages.values("message_id"))
        .values("alert_id", "alert__category")
        .annotate(at=Min("alert__created_at"))
        .order_by("-at")[:CALL_LIST_LINKS]
    ]
    return Channels(shares=shares, unreached=unreached, call_lists=call_lists)


# --- Moderation and reports ----------------------------------------------------------------------


@dataclass(frozen=True)
class Queue:
    waiting: int
    oldest_at: datetime | None
    now: datetime
    held: int = 0

    @property
    def oldest_age(self) -> timedelta | None:
        return self.now - self.oldest_at if self.oldest_at else None


def moderation_queue(*, commune: Commune, now: datetime) -> Queue:
    """Alerts waiting for a moderator (to read after sending, or held before it) and the
    oldest of them. One query."""
    waiting = [ModerationStatus.TO_REVIEW, ModerationStatus.HELD]
    row = Alert.objects.filter(commune=commune, moderation_status__in=waiting).aggregate(
        waiting=Count("pk"),
        held=Count("pk", filter=Q(moderation_status=ModerationStatus.HELD)),
        oldest=Min("created_at"),
    )
    return Queue(waiting=row["waiting"], held=row["held"], oldest_at=row["oldest"], now=now)


def open_reports(*, commune: Commune, now: datetime) -> Queue:
    """Reports on any content of the commune still to handle, and the oldest. One query."""
    row = Report.objects.filter(commune=commune, status=ReportStatus.OPEN).aggregate(
        waiting=Count("pk"), oldest=Min("created_at")
    )
    return Queue(waiting=row["waiting"], oldest_at=row["oldest"], now=now)


# --- Gazette and messaging: counts only ----------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    gazette_posts: int
    gazette_comments: int
    conversations: int
    messages: int
    official_sends: int


def gazette_and_messaging(*, commune: Commune, now: datetime) -> Activity:
    """What was published and written in the last 30 days: counts, never content. Four
    queries (one per table)."""
    since = now - timedelta(days=ACTIVITY_DAYS)
    posts = GazettePost.objects.filter(
        commune=commune, live=True, first_published_at__gt=since
    ).count()
    comments = Comment.objects.filter(post__commune=commune, created_at__gt=since).count()
    written = Message.objects.filter(conversation__commune=commune, created_at__gt=since).aggregate(
        messages=Count("pk"), conversations=Count("conversation", distinct=True)
    )
    official = OfficialSend.objects.filter(commune=commune, created_at__gt=since).count()
    return Activity(
        gazette_posts=posts,
        gazette_comments=comments,
        conversations=written["conversations"],
        messages=written["messages"],
        official_sends=official,
    )


# --- SMS spend ---------------------------------------------------------------------------------


def sms_spend(*, commune: Commune, now: datetime) -> SmsBudget:
    """SMS segments and their cost since the first of the month against the commune's
    budget, with the month's forecast: the sum of what the outbox recorded when each SMS
    the commune pays for left (``communities.sms_budget``), not an estimate. One query."""
    return sms_budget(commune=commune, now=now)


# --- Communities: most and least active -----------------------------------------------------


# The table of communities lists them all up to this many; a city's hundreds of
# neighbourhoods show their most active ones, every one being in the CSV export (rendering
# 600 rows took about 380 ms of a page that must answer in 300).
COMMUNITY_ROWS_SHOWN = 50


def communities_by_activity(
    *, members: Members, alerts: Alerts
) -> tuple[list[CommunityRow], list[CommunityRow]]:
    """The three most and three least active communities (alerts and new members of the
    last 30 days), from figures already read: no query."""
    ranked = _ranked(members=members, alerts=alerts)
    most = ranked[:3]
    least = [row for row in reversed(ranked) if row not in most][:3]
    return most, least


def _ranked(*, members: Members, alerts: Alerts) -> list[CommunityRow]:
    rows = members.communities
    for row in rows:
        row.alerts = alerts.by_community.get(row.pk, _trends({}))
    return sorted(rows, key=lambda row: (-row.activity, row.name))


def community_rows(*, members: Members, alerts: Alerts) -> tuple[list[CommunityRow], int]:
    """The rows of the communities' table and how many communities it leaves out: every
    community in name order up to ``COMMUNITY_ROWS_SHOWN``, beyond that the most active
    ones (then by name). No query."""
    rows = members.communities
    if len(rows) <= COMMUNITY_ROWS_SHOWN:
        return rows, 0
    shown = _ranked(members=members, alerts=alerts)[:COMMUNITY_ROWS_SHOWN]
    return sorted(shown, key=lambda row: row.name), len(rows) - len(shown)


# --- The police municipale -------------------------------------------------------------------


@dataclass(frozen=True)
class RunningAlert:
    pk: int
    category: str
    community: str
    created_at: datetime
    taken_at: datetime | None
    taken_by: str
    now: datetime

    @property
    def waited(self) -> timedelta:
        """How long the alert waited before the police took it, or has waited so far."""
        return (self.taken_at or self.now) - self.created_at


@dataclass(frozen=True)
class Police:
    running: list[RunningAlert]
    running_total: int
    taken_total: int
    taken_last_30_days: int
    average_wait: timedelta | None  # of the alerts taken in the last 30 days


def police(*, commune: Commune, now: datetime) -> Police:
    """The commune's running alerts (sent, not closed, not expired, not withdrawn), which
    the police municipale took in charge, by whom and after how long; and the average wait
    of the last 30 days. Three queries."""
    running = _sent_alerts(commune).active(now=now)
    counts = running.aggregate(
        total=Count("pk"), taken=Count("pk", filter=Q(police_taken_at__isnull=False))
    )
    since = now - timedelta(days=ACTIVITY_DAYS)
    taken = Alert.objects.filter(commune=commune, police_taken_at__gt=since).aggregate(
        n=Count("pk"), wait=Avg(F("police_taken_at") - F("created_at"))
    )
    labels = dict(AlertCategory.choices)
    rows = [
        RunningAlert(
            pk=alert.pk,
            category=str(labels.get(alert.category, alert.category)),
            community=alert.community.name if alert.community else "",
            created_at=alert.created_at,
            taken_at=alert.police_taken_at,
            taken_by=alert.police_taken_by.get_full_name() if alert.police_taken_by else "",
            now=now,
        )
        for alert in running.select_related("community", "police_taken_by")
        .only(
            "pk",
            "category",
            "created_at",
            "police_taken_at",
            "community__name",
            "police_taken_by__first_name",
            "police_taken_by__last_name",
        )
        .order_by(F("police_taken_at").asc(nulls_first=True), "-created_at")[:POLICE_LIST_LENGTH]
    ]
    return Police(
        running=rows,
        running_total=counts["total"],
        taken_total=counts["taken"],
        taken_last_30_days=taken["n"],
        average_wait=taken["wait"],
    )
