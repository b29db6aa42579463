"""Charts drawn on the server as SVG, for everyone to read (RGAA).

Each chart gives the template its geometry, a one-sentence summary, and the rows of the
data table shown with it: values are written on the bars and in the table, never carried by
colour alone; segments of a stacked bar also differ by pattern. No JavaScript, no library.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .figures import Channels

WIDTH = 520
PLOT_TOP = 30  # room for the value above the tallest bar
PLOT_HEIGHT = 150
LABEL_HEIGHT = 30
HEIGHT = PLOT_TOP + PLOT_HEIGHT + LABEL_HEIGHT


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def value_y(self) -> float:
        """Where the bar's value is written: just above it."""
        return round(self.y - 8, 1)


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    summary: str
    width: int = WIDTH
    height: int = HEIGHT
    baseline: int = PLOT_TOP + PLOT_HEIGHT
    label_y: int = PLOT_TOP + PLOT_HEIGHT + 24


def _month_label(start: datetime) -> str:
    return formats.date_format(start, "M")


def month_name(start: datetime) -> str:
    return formats.date_format(start, "F Y")


def monthly_bars(series: list[tuple[datetime, int]], *, summary: str) -> BarChart:
    """One bar per month, its value above it and the month's short name below."""
    slot = WIDTH / max(len(series), 1)
    highest = max((value for _m, value in series), default=0) or 1
    bars = []
    for index, (start, value) in enumerate(series):
        height = round(PLOT_HEIGHT * value / highest, 1)
        bars.append(
            Bar(
                x=round(index * slot + slot * 0.15, 1),
                y=round(PLOT_TOP + PLOT_HEIGHT - height, 1),
                width=round(slot * 0.7, 1),
                height=height,
                label=_month_label(start),
                value=value,
            )
        )
    return BarChart(bars=bars, summary=summary)


def _peak(series: list[tuple[datetime, int]]) -> tuple[datetime, int] | None:
    best = max(series, key=lambda item: item[1], default=None)
    return best if best and best[1] else None


def alerts_chart(series: list[tuple[datetime, int]]) -> BarChart:
    total = sum(value for _m, value in series)
    peak = _peak(series)
    if peak is None:
        summary = _("Aucune alerte diffusée ces 12 derniers mois.")
    else:
        summary = ngettext(
            "%(total)s alerte diffusée en 12 mois ; le mois le plus chargé : %(month)s (%(peak)s).",
            "%(total)s alertes diffusées en 12 mois ; le mois le plus chargé : %(month)s "
            "(%(peak)s).",
            total,
        ) % {"total": total, "month": month_name(peak[0]), "peak": peak[1]}
    return monthly_bars(series, summary=summary)


def members_chart(series: list[tuple[datetime, int]]) -> BarChart:
    total = sum(value for _m, value in series)
    peak = _peak(series)
    if peak is None:
        summary = _("Aucun nouveau membre ces 12 derniers mois.")
    else:
        summary = ngettext(
            "%(total)s nouveau membre en 12 mois ; le plus en %(month)s (%(peak)s).",
            "%(total)s nouveaux membres en 12 mois ; le plus en %(month)s (%(peak)s).",
            total,
        ) % {"total": total, "month": month_name(peak[0]), "peak": peak[1]}
    return monthly_bars(series, summary=summary)


# --- Channel shares: one stacked bar per channel -------------------------------------------------

STACK_LABEL_WIDTH = 120
STACK_WIDTH = WIDTH - STACK_LABEL_WIDTH
STACK_ROW = 50
STACK_BAR = 34
# Below this share a segment is too narrow for its value: the table gives it.
MIN_LABELLED_PERCENT = 12


@dataclass(frozen=True)
class Segment:
    kind: str  # delivered, failed, pending: the CSS class and the pattern
    x: float
    width: float
    percent: int
    labelled: bool

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class StackRow:
    label: str
    y: float
    segments: list[Segment]

    @property
    def text_y(self) -> float:
        return self.y + STACK_BAR / 2 + 7


@dataclass(frozen=True)
class StackedChart:
    rows: list[StackRow]
    summary: str
    width: int = WIDTH
    label_width: int = STACK_LABEL_WIDTH
    bar_height: int = STACK_BAR

    @property
    def height(self) -> int:
        return max(len(self.rows), 1) * STACK_ROW


def channels_chart(channels: Channels) -> StackedChart:
    rows = []
    for index, share in enumerate(channels.shares):
        x = float(STACK_LABEL_WIDTH)
        segments = []
        for kind, value in (
            ("delivered", share.delivered),
            ("failed", share.failed),
            ("pending", share.pending),
        ):
            if not value:
                continue
            width = round(STACK_WIDTH * value / share.total, 1)
            percent = share.percent(value)
            segments.append(
                Segment(
                    kind=kind,
                    x=x,
                    width=width,
                    percent=percent,
                    labelled=percent >= MIN_LABELLED_PERCENT,
                )
            )
            x += width
        rows.append(StackRow(label=str(share.label), y=index * STACK_ROW + 8, segments=segments))
    if not channels.shares:
        summary = _("Aucun envoi d'alerte ces 30 derniers jours.")
    else:
        summary = (
            " ; ".join(
                _("%(channel)s : %(delivered)s %% distribués, %(failed)s %% en échec")
                % {
                    "channel": share.label,
                    "delivered": share.delivered_percent,
                    "failed": share.failed_percent,
                }
                for share in channels.shares
            )
            + "."
        )
    return StackedChart(rows=rows, summary=summary)
