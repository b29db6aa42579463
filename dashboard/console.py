"""The platform team's console: one row of figures per commune, for hundreds of communes.

Each column is one set-based read over every commune at once (``values("commune")``
grouped, never a loop of per-commune queries), so the console costs the same number of
queries for two communes as for six hundred: ``tests/test_platform_console.py`` counts
them. The figures follow the mairie's dashboard (``dashboard.figures``): the same sent
alerts, the same joins and departures, the SMS spend as the outbox recorded it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils.translation import gettext_lazy as _

from alerts.models import Alert
from communities.models import Commune, Membership, MembershipStatus
from notifications.models import Delivery, DeliveryStatus, DeliveryTally, OutboxMessage
from notifications.tallies import sms_spent

from .figures import ACTIVITY_DAYS, NOT_SENT_STATUSES, month_starts

HEALTH_DAYS = 7


@dataclass
class CommuneRow:
    pk: int
    name: str
    insee_code: str
    hostname: str
    now: datetime
    sms_budget: Decimal | None = None
    members: int = 0
    joined: int = 0  # in the last ACTIVITY_DAYS
    left: int = 0  # in the last ACTIVITY_DAYS
    alerts: int = 0  # sent in the last ACTIVITY_DAYS
    sms_segments: int = 0  # this month
    sms_cost: Decimal = Decimal("0.00")  # this month
    registrations: int = 0
    oldest_registration_at: datetime | None = None
    oldest_queued_at: datetime | None = None
    deliveries: int = 0  # of the messages of the last HEALTH_DAYS, as tallied
    failed: int = 0  # of those
    last_staff_login: datetime | None = None

    @property
    def growth(self) -> int:
        """Arrivals less departures over the last 30 days."""
        return self.joined - self.left

    @property
    def oldest_registration_age(self) -> timedelta | None:
        return self.now - self.oldest_registration_at if self.oldest_registration_at else None

    @property
    def oldest_queued_age(self) -> timedelta | None:
        return self.now - self.oldest_queued_at if self.oldest_queued_at else None

    @property
    def failure_percent(self) -> int | None:
        """Share of the last 7 days' deliveries that failed, None without any."""
        return round(100 * self.failed / self.deliveries) if self.deliveries else None

    @property
    def budget_percent(self) -> int | None:
        """This month's SMS spend as a share of the monthly budget, None without one."""
        if not self.sms_budget:
            return None
        return round(100 * self.sms_cost / self.sms_budget)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # What rows are sorted on: a value that compares, ``None`` sorted last either way.
    value: str
    numeric: bool = True


COLUMNS = [
    Column("commune", _("Commune"), "name", numeric=False),
    Column("membres", _("Membres vérifiés"), "members"),
    Column("croissance", _("Évolution (30 j)"), "growth"),
    Column("alertes", _("Alertes (30 j)"), "alerts"),
    Column("sms", _("SMS ce mois-ci"), "sms_cost"),
    Column("budget", _("Budget SMS consommé"), "budget_percent"),
    Column("inscriptions", _("Inscriptions à valider"), "registrations"),
    Column("attente", _("Plus ancienne inscription"), "oldest_registration_age"),
    Column("file", _("Plus ancien envoi en file"), "oldest_queued_age"),
    Column("echecs", _("Échecs d'envoi (7 j)"), "failure_percent"),
    Column("connexion", _("Dernière connexion du personnel"), "last_staff_login"),
]
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
DEFAULT_SORT = "commune"


def _commune_of_message(prefix: str = "message__"):
    """The commune an outbox message belongs to: the one its sender named as paying its SMS
    (``OutboxMessage.payer``, as ``communities.sms_budget`` counts the spend)."""
    return F(f"{prefix}payer_id")


def _by_commune(rows, key: str = "commune_id") -> dict[int, dict]:
    return {row[key]: row for row in rows if row[key] is not None}


def console_rows(*, now: datetime) -> list[CommuneRow]:
    """Every commune's row of the console, sorted by name. Seven queries, whatever the
    number of communes and the size of their data (the last staff sign-in rides on the
    communes' read)."""
    since = now - timedelta(days=ACTIVITY_DAYS)
    health_since = now - timedelta(days=HEALTH_DAYS)
    month_start = month_starts(now=now)[-1]

    communes = (
        Commune.objects.annotate(last_staff_login=Max("staff_groups__group__user__last_login"))
        .values("pk", "name", "insee_code", "site__hostname", "sms_budget", "last_staff_login")
        .order_by("name")
    )
    joined = [MembershipStatus.VERIFIED, MembershipStatus.LEFT]
    members = _by_commune(
        Membership.objects.values(commune_id=F("community__commune_id"))
        .annotate(
            members=Count("pk", filter=Q(status=MembershipStatus.VERIFIED)),
            joined=Count("pk", filter=Q(status__in=joined, decided_at__gt=since)),
            left=Count("pk", filter=Q(decided_at__isnull=False, left_at__gt=since)),
            registrations=Count("pk", filter=Q(status=MembershipStatus.PENDING)),
            oldest_registration_at=Min("requested_at", filter=Q(status=MembershipStatus.PENDING)),
        )
        .order_by()
    )
    alerts = _by_commune(
        Alert.objects.exclude(moderation_status__in=NOT_SENT_STATUSES)
        .filter(created_at__gt=since)
        .values("commune_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # The outbox's tallies, as the SMS budget reads them: never the month's deliveries.
    sms = sms_spent(since=month_start)
    # Delivery health from the outbox's tallies too (``notifications.tallies``): the last
    # 7 days' messages' outcomes, and the queued deliveries of the open messages only (a
    # settled message has nothing left to send), never a scan of the week's deliveries.
    health = _by_commune(
        DeliveryTally.objects.filter(message__created_at__gt=health_since)
        .values(commune_id=F("payer_id"))
        .annotate(delivered=Sum("delivered"), failed=Sum("failed"), pending=Sum("pending"))
        .order_by()
    )
    queued = _by_commune(
        Delivery.objects.filter(
            status=DeliveryStatus.QUEUED,
            message__in=OutboxMessage.objects.exclude(tally__settled=True).values("pk"),
        )
        .values(commune_id=_commune_of_message())
        .annotate(oldest_queued_at=Min("created_at"))
        .order_by()
    )

    rows = []
    for commune in communes:
        pk = commune["pk"]
        member_row = members.get(pk, {})
        sms_row = sms.get(pk, {})
        health_row = health.get(pk, {})
        rows.append(
            CommuneRow(
                pk=pk,
                name=commune["name"],
                insee_code=commune["insee_code"],
                hostname=commune["site__hostname"],
                now=now,
                sms_budget=commune["sms_budget"],
                members=member_row.get("members", 0),
                joined=member_row.get("joined", 0),
                left=member_row.get("left", 0),
                registrations=member_row.get("registrations", 0),
                oldest_registration_at=member_row.get("oldest_registration_at"),
                alerts=alerts.get(pk, {}).get("n", 0),
                sms_segments=sms_row.get("segments", 0),
                sms_cost=sms_row.get("cost", Decimal(0)).quantize(Decimal("0.01")),
                oldest_queued_at=queued.get(pk, {}).get("oldest_queued_at"),
                deliveries=sum(
                    health_row.get(key) or 0 for key in ("delivered", "failed", "pending")
                ),
                failed=health_row.get("failed") or 0,
                last_staff_login=commune["last_staff_login"],
            )
        )
    return rows


def console_sorted(rows: list[CommuneRow], *, sort: str) -> tuple[list[CommuneRow], str]:
    """``rows`` ordered by the column ``sort`` names (``-`` first: descending), and the sort
    actually applied (the default for an unknown column). Empty values go last."""
    descending = sort.startswith("-")
    column = COLUMNS_BY_KEY.get(sort.lstrip("-"))
    if column is None:
        column, descending = COLUMNS_BY_KEY[DEFAULT_SORT], False
    present = [row for row in rows if getattr(row, column.value) is not None]
    missing = [row for row in rows if getattr(row, column.value) is None]

    def key(row):
        value = getattr(row, column.value)
        return value.lower() if isinstance(value, str) else value

    present.sort(key=lambda row: row.name.lower())
    present.sort(key=key, reverse=descending)
    return present + missing, f"-{column.key}" if descending else column.key
