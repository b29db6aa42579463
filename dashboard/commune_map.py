"""The commune's map: every community's boundary coloured by its alerts of a period, and the
alerts as markers at their community's centre.

An alert has no address: its marker stands at the centroid of its community's boundary, so
the map never suggests a street or a house. No author, no text, no identifying details
leave this module: category, time and status only. Alerts the mairie sent to several
communities or to the whole commune have no place on the map: they are counted apart.

Two queries whatever the data (the communities, the alerts of the period by community), and
a third for the markers, limited to the ``MARKER_LIMIT`` most recent. Read at most once per
``MAP_TTL_SECONDS`` per commune and period, and again after the commune's next alert (the
figures' version, ``dashboard.live``).
"""

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, F
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alerts.models import Alert, AlertCategory, ModerationStatus
from communities.boundaries import boundary_centre
from communities.models import Commune

from .figures import NOT_SENT_STATUSES, PERIODS
from .live import figures_version

MARKER_LIMIT = 300
# Short: a running alert leaves the police's map when it expires, which no signal tells.
MAP_TTL_SECONDS = 3
DEFAULT_PERIOD = "month"

# (lowest count, label): a community's activity level on the map. The first step above
# none stops at 4 so that the map never shows a count the "< 5" rule hides.
LEVELS = [
    (0, gettext_lazy("Aucune alerte")),
    (1, gettext_lazy("Moins de 5 alertes")),
    (5, gettext_lazy("5 à 14 alertes")),
    (15, gettext_lazy("15 alertes ou plus")),
]


def level_of(count: int) -> int:
    return max(index for index, (lowest, _label) in enumerate(LEVELS) if count >= lowest)


def period_of(key: str | None):
    """The period named ``key`` (``week``, ``month``, ``year``), the month otherwise."""
    periods = {period.key: period for period in PERIODS}
    return periods.get(key or "", periods[DEFAULT_PERIOD])


@dataclass
class MapCommunity:
    id: int
    name: str
    boundary: dict | None
    centre: tuple[float, float] | None
    alerts: int
    level: int


@dataclass
class MapAlert:
    id: int
    community: int
    position: tuple[float, float]
    category: str
    created_at: str
    time: str
    status: str
    taken: bool


@dataclass
class CommuneMap:
    period: str
    period_label: str
    communities: list[MapCommunity]
    alerts: list[MapAlert] = field(default_factory=list)
    alerts_total: int = 0
    unplaced: int = 0  # the mairie's alerts to several communities or the whole commune
    truncated: bool = False


def alert_status(alert: Alert, *, now: datetime) -> str:
    """What became of an alert, in a few words."""
    if alert.moderation_status == ModerationStatus.RETRACTED:
        return _("Retirée après diffusion")
    if alert.closed_at is not None:
        return _("Close")
    if alert.expires_at <= now:
        return _("Terminée")
    if alert.police_taken_at is not None:
        return _("En cours, prise en charge par la police municipale")
    return _("En cours, en attente de prise en charge")


def commune_map_compute(
    *, commune: Commune, now: datetime, period_key: str | None, running_only: bool = False
) -> CommuneMap:
    """``commune``'s map for the period named ``period_key`` (or, with ``running_only``,
    the alerts still running, whenever they were sent: the police municipale's map)."""
    period = period_of(period_key)
    alerts = Alert.objects.filter(commune=commune).exclude(moderation_status__in=NOT_SENT_STATUSES)
    if running_only:
        alerts = alerts.active(now=now)
    else:
        alerts = alerts.filter(created_at__gt=now - timedelta(days=period.days))
    counts = {
        row["community_id"]: row["n"]
        for row in alerts.values("community_id").annotate(n=Count("pk")).order_by()
    }
    communities = [
        MapCommunity(
            id=community.pk,
            name=community.name,
            boundary=community.boundary or None,
            centre=boundary_centre(community.boundary),
            alerts=counts.get(community.pk, 0),
            level=level_of(counts.get(community.pk, 0)),
        )
        for community in commune.communities.only("pk", "name", "boundary").order_by("name")
    ]
    centres = {community.id: community.centre for community in communities}
    labels = dict(AlertCategory.choices)
    markers = []
    placeable = alerts.exclude(community=None)
    if running_only:
        # Those still waiting for the police first, as in the police's list.
        placeable = placeable.order_by(F("police_taken_at").asc(nulls_first=True), "-created_at")
    else:
        placeable = placeable.order_by("-created_at")
    for alert in placeable.only(
        "pk",
        "community_id",
        "category",
        "created_at",
        "expires_at",
        "closed_at",
        "moderation_status",
        "police_taken_at",
    )[:MARKER_LIMIT]:
        position = centres.get(alert.community_id)
        if position is None:
            continue
        markers.append(
            MapAlert(
                id=alert.pk,
                community=alert.community_id,
                position=position,
                category=str(labels.get(alert.category, alert.category)),
                created_at=alert.created_at.isoformat(),
                time=formats.date_format(
                    timezone.localtime(alert.created_at), "SHORT_DATETIME_FORMAT"
                ),
                status=alert_status(alert, now=now),
                taken=alert.police_taken_at is not None,
            )
        )
    placed = sum(counts.get(community.id, 0) for community in communities)
    total = sum(counts.values())
    return CommuneMap(
        period="running" if running_only else period.key,
        period_label=_("Alertes en cours") if running_only else str(period.label),
        communities=communities,
        alerts=markers,
        alerts_total=total,
        unplaced=total - placed,
        truncated=total > MARKER_LIMIT,
    )


def commune_map_for(
    *, commune: Commune, period_key: str | None, running_only: bool = False
) -> CommuneMap:
    """``commune``'s map as of at most ``MAP_TTL_SECONDS`` ago, or newer than its last
    alert (the figures' version, bumped after commit)."""
    period = "running" if running_only else period_of(period_key).key
    key = f"dashboard:map:{commune.pk}:{figures_version(commune_id=commune.pk)}:{period}"
    cached = cache.get(key)
    if cached is None:
        cached = commune_map_compute(
            commune=commune, now=timezone.now(), period_key=period, running_only=running_only
        )
        cache.set(key, cached, timeout=MAP_TTL_SECONDS)
    return cached


def commune_map_json(commune_map: CommuneMap, *, exact_counts: bool, with_markers: bool) -> dict:
    """The map as the browser reads it. Counts from 1 to 4 are sent as "< 5" unless
    ``exact_counts`` (the dashboard's rule for a community's row); markers only to those
    who read the commune's alerts anyway (``with_markers``)."""

    def count_label(count: int) -> str:
        return str(count) if exact_counts or count == 0 or count >= 5 else "< 5"

    data = asdict(commune_map)
    for row in data["communities"]:
        row["alerts_label"] = count_label(row["alerts"])
        row["level_label"] = str(LEVELS[row["level"]][1])
        if not exact_counts and 0 < row["alerts"] < 5:
            row["alerts"] = None
    data["levels"] = [
        {"level": index, "label": str(label)} for index, (_lowest, label) in enumerate(LEVELS)
    ]
    if not with_markers:
        data["alerts"] = []
        data["truncated"] = False
    return data
