"""CSV files of the figures, for the municipal council's report and the platform team.

Written for Excel in French: UTF-8 with a byte-order mark, ``;`` between cells, decimal
commas, dates as ``jj/mm/aaaa hh:mm`` in Paris time. A file holds sections one after the
other (a title row, a header row, the rows, a blank row), so that one download carries
every figure of the page with the window each one covers. Counts of a community's row
below 5 are written "< 5" for whoever does not see them exactly on the page
(``dashboard.permissions.sees_small_counts``).
"""

import csv
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .console import CommuneRow
from .figures import ACTIVITY_DAYS, PERIODS, Period, month_starts
from .live import Figures
from .templatetags.dashboard_tags import small_count

Row = Sequence[object]
Section = tuple[str, Row, list[Row]]


def cell(value) -> str:
    """One value as French Excel reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, Decimal | float):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, timedelta):
        return f"{value.total_seconds() / 86400:.1f}".replace(".", ",")
    return str(value)


def csv_response(*, filename: str, sections: Iterable[Section]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";", lineterminator="\r\n")
    for index, (title, header, rows) in enumerate(sections):
        if index:
            writer.writerow([])
        if title:
            writer.writerow([title])
        writer.writerow([cell(value) for value in header])
        writer.writerows([cell(value) for value in row] for row in rows)
    return response


def export_filename(*, subject: str, now: datetime) -> str:
    return f"voisinage-{slugify(subject)}-{timezone.localtime(now):%Y-%m-%d}.csv"


def period_chosen(value: str) -> Period:
    """The period ``?periode=`` names (week, month, year), the 30 days by default."""
    by_key = {period.key: period for period in PERIODS}
    return by_key.get(value, by_key["month"])


def figures_sections(
    *, commune, figures: Figures, period: Period, exact_counts: bool
) -> list[Section]:
    """Every figure of the mairie's dashboard as CSV sections. Alerts follow ``period``;
    the other figures keep the window the dashboard shows, written in their title."""
    now = figures.now
    start = now - timedelta(days=period.days)
    month = _("%(n)s derniers jours") % {"n": ACTIVITY_DAYS}

    def masked(value: int) -> str:
        return small_count(value, exact_counts)

    members = figures.members
    sections: list[Section] = [
        (
            _("Tableau de bord de %(commune)s") % {"commune": commune.name},
            [_("Commune"), _("Code INSEE"), _("Période"), _("Du"), _("Au"), _("Exporté le")],
            [[commune.name, commune.insee_code, period.label, start, now, timezone.now()]],
        ),
        (
            _("Membres"),
            [
                _("Membres vérifiés"),
                _("En attente"),
                _("Arrivées (12 mois)"),
                _("Départs (12 mois)"),
            ],
            [
                [
                    members.verified,
                    members.pending,
                    members.joins_last_12_months,
                    members.departures_last_12_months,
                ]
            ],
        ),
        (
            _("Arrivées et départs de membres par mois, sur 12 mois"),
            [_("Mois"), _("Nouveaux membres"), _("Départs")],
            [
                [timezone.localtime(start_of).strftime("%m/%Y"), joins, departures]
                for start_of, joins, departures in members.by_month
            ],
        ),
        (
            _("Inscriptions à valider"),
            [_("En attente"), _("La plus ancienne depuis le"), _("Attente (jours)")],
            [
                [
                    figures.registrations.waiting,
                    figures.registrations.oldest_at,
                    figures.registrations.oldest_age,
                ]
            ],
        ),
        (
            _("Alertes diffusées : %(period)s") % {"period": period.label},
            [_("Alertes"), _("Période précédente"), _("Évolution")],
            [
                [
                    figures.alerts.totals[period.key].current,
                    figures.alerts.totals[period.key].previous,
                    figures.alerts.totals[period.key].change,
                ]
            ],
        ),
        (
            _("Alertes par catégorie : %(period)s") % {"period": period.label},
            [_("Catégorie"), _("Alertes"), _("Période précédente")],
            [
                [row.label, row.trends[period.key].current, row.trends[period.key].previous]
                for row in figures.alerts.by_category
            ],
        ),
        (
            _("Alertes diffusées par mois, sur 12 mois"),
            [_("Mois"), _("Alertes")],
            [
                [timezone.localtime(start_of).strftime("%m/%Y"), n]
                for start_of, n in figures.alerts.by_month
            ],
        ),
        (
            _("Communautés"),
            [
                _("Communauté"),
                _("Membres vérifiés"),
                _("En attente"),
                _("Arrivées (30 j)"),
                _("Alertes : %(period)s") % {"period": period.label},
            ],
            [
                [
                    row.name,
                    masked(row.verified),
                    masked(row.pending),
                    masked(row.joined),
                    masked(row.alerts[period.key].current if row.alerts else 0),
                ]
                for row in members.communities
            ]
            + [
                [
                    _("Alertes de la mairie à plusieurs communautés ou à toute la commune"),
                    "",
                    "",
                    "",
                    figures.alerts.mairie[period.key].current,
                ]
            ],
        ),
        (
            _("Ce que chaque canal a distribué : %(window)s") % {"window": month},
            [_("Canal"), _("Distribués"), _("En échec"), _("En attente"), _("Total")],
            [
                [share.label, share.delivered, share.failed, share.pending, share.total]
                for share in figures.channels.shares
            ],
        ),
        (
            _("Destinataires atteints par aucun canal : %(window)s") % {"window": month},
            [_("Destinataires")],
            [[figures.channels.unreached]],
        ),
        (
            _("Files d'attente"),
            [_("File"), _("En attente"), _("La plus ancienne depuis le")],
            [
                [_("Alertes à modérer"), figures.moderation.waiting, figures.moderation.oldest_at],
                [_("Signalements à traiter"), figures.reports.waiting, figures.reports.oldest_at],
            ],
        ),
        (
            _("Gazette et messagerie : %(window)s") % {"window": month},
            [_("Activité"), _("Nombre")],
            [
                [_("Publications de la gazette"), figures.activity.gazette_posts],
                [_("Commentaires"), figures.activity.gazette_comments],
                [_("Messages entre voisins et à la mairie"), figures.activity.messages],
                [_("Conversations actives"), figures.activity.conversations],
                [_("Messages de la mairie envoyés"), figures.activity.official_sends],
            ],
        ),
        (
            _("SMS ce mois-ci"),
            [
                _("Depuis le"),
                _("SMS"),
                _("Segments"),
                _("Coût (€)"),
                _("Budget du mois (€)"),
                _("Budget dépensé (%)"),
                _("Prévision à la fin du mois (€)"),
            ],
            [
                [
                    month_starts(now=now)[-1],
                    figures.sms.sms,
                    figures.sms.segments,
                    figures.sms.cost,
                    figures.sms.budget,
                    figures.sms.percent,
                    figures.sms.forecast,
                ]
            ],
        ),
    ]
    return sections


def console_sections(*, rows: list[CommuneRow], now: datetime) -> list[Section]:
    """The platform console's table, one line per commune, with the details its cells
    sum up (arrivals and departures, SMS segments, deliveries)."""
    header = [
        _("Commune"),
        _("Code INSEE"),
        _("Nom d'hôte"),
        _("Membres vérifiés"),
        _("Arrivées (30 j)"),
        _("Départs (30 j)"),
        _("Évolution (30 j)"),
        _("Alertes (30 j)"),
        _("Segments SMS ce mois-ci"),
        _("Coût SMS ce mois-ci (€)"),
        _("Budget SMS mensuel (€)"),
        _("Budget consommé (%)"),
        _("Inscriptions à valider"),
        _("Plus ancienne inscription depuis le"),
        _("Plus ancien envoi en file depuis le"),
        _("Envois (7 j)"),
        _("Échecs (7 j)"),
        _("Taux d'échec (7 j, %)"),
        _("Dernière connexion du personnel"),
    ]
    return [
        (
            _("Communes de la plateforme au %(date)s")
            % {"date": timezone.localtime(now).strftime("%d/%m/%Y %H:%M")},
            header,
            [
                [
                    row.name,
                    row.insee_code,
                    row.hostname,
                    row.members,
                    row.joined,
                    row.left,
                    row.growth,
                    row.alerts,
                    row.sms_segments,
                    row.sms_cost,
                    row.sms_budget,
                    row.budget_percent,
                    row.registrations,
                    row.oldest_registration_at,
                    row.oldest_queued_at,
                    row.deliveries,
                    row.failed,
                    row.failure_percent,
                    row.last_staff_login,
                ]
                for row in rows
            ],
        )
    ]
