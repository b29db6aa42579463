"""The dashboard's CSV export for the municipal council: the page's access rule, figures
that match the database over the chosen period, and "< 5" in a community's row for
everyone but the mairie's administrators."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from alerts.models import Alert, AlertCategory
from alerts.services import alert_post
from communities.memberships import membership_leave
from communities.models import Commune, Membership, MembershipStatus
from notifications.models import Channel, Delivery

pytestmark = pytest.mark.django_db

CADAUJAC_HOST = "cadaujac.localhost"


def _export(client, commune, period=""):
    query = f"?commune={commune.pk}" + (f"&periode={period}" if period else "")
    return client.get(f"/admin/tableau-de-bord/export.csv{query}", HTTP_HOST=CADAUJAC_HOST)


def _sections(response) -> dict[str, list[list[str]]]:
    """The file's sections by title: each a header row and its rows."""
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    sections, current = {}, None
    for row in csv.reader(io.StringIO(text[1:]), delimiter=";"):
        if not row:
            current = None
        elif current is None:
            current = sections.setdefault(row[0], [])
        else:
            current.append(row)
    return sections


def _table(section: list[list[str]]) -> list[dict[str, str]]:
    header, *rows = section
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.fixture
def post(django_capture_on_commit_callbacks, settings):
    settings.SMS_BACKEND = "outbox"
    settings.SMS_PRICE_PER_SEGMENT = 0.05

    def do(author, text="Voiture grise au pas devant les maisons."):
        with django_capture_on_commit_callbacks(execute=True):
            return alert_post(author=author, category=AlertCategory.SCOUTING, text=text)

    return do


# (who, downloads Cadaujac's figures)
MATRIX = [
    ("platform", True),
    ("administrator", True),
    ("moderator", True),
    ("broadcaster", True),
    ("editor", True),
    ("police", False),
    ("resident", False),
    ("anonymous", False),
    ("other administrator", False),
    ("other moderator", False),
    ("other broadcaster", False),
    ("other editor", False),
    ("other police", False),
]


@pytest.mark.parametrize(("who", "allowed"), MATRIX)
def test_the_export_follows_the_dashboards_access_rule(
    who, allowed, staff_everywhere, sign_in, cadaujac
):
    client = Client()
    if staff_everywhere[who] is not None:
        sign_in(client, staff_everywhere[who])

    response = _export(client, cadaujac)

    downloaded = response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert downloaded is allowed, (who, response.status_code)
    if not allowed:
        assert b"Cadaujac" not in response.content


def test_the_export_holds_the_figures_of_the_database_over_the_chosen_period(
    post,
    sign_in,
    arnaud_admin,
    jeanne_resident,
    paul_neighbour,
    lucie_tuileries,
    pierre_pending,
    dieter_didenheim,
    cadaujac,
):
    post(paul_neighbour)
    older = post(jeanne_resident, text="Démarcheur insistant rue des Vignes.")
    Alert.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=40))
    post(dieter_didenheim, text="Au village : portail ouvert.")  # another commune
    membership_leave(membership=Membership.objects.get(user=lucie_tuileries))
    Commune.objects.filter(pk=cadaujac.pk).update(sms_budget=Decimal("10.00"))
    client = sign_in(Client(), arnaud_admin)

    month = _export(client, cadaujac)
    year = _sections(_export(client, cadaujac, "year"))

    today = timezone.localdate().isoformat()
    assert month["Content-Disposition"] == (
        f'attachment; filename="voisinage-cadaujac-{today}.csv"'
    )
    month = _sections(month)
    (members,) = _table(month["Membres"])
    verified = Membership.objects.filter(
        community__commune=cadaujac, status=MembershipStatus.VERIFIED
    ).count()
    assert members["Membres vérifiés"] == str(verified) == "2"
    assert members["En attente"] == "1"
    assert members["Arrivées (12 mois)"] == "3"
    assert members["Départs (12 mois)"] == "1"
    assert _table(month["Arrivées et départs de membres par mois, sur 12 mois"])[-1] == {
        "Mois": timezone.localdate().strftime("%m/%Y"),
        "Nouveaux membres": "3",
        "Départs": "1",
    }
    (registrations,) = _table(month["Inscriptions à valider"])
    assert registrations["En attente"] == "1"
    (alerts_month,) = _table(month["Alertes diffusées : 30 derniers jours"])
    (alerts_year,) = _table(year["Alertes diffusées : 12 derniers mois"])
    assert alerts_month["Alertes"] == "1"
    assert alerts_month["Période précédente"] == "1"  # the one of 40 days ago
    assert alerts_year["Alertes"] == "2"
    (category,) = _table(year["Alertes par catégorie : 12 derniers mois"])
    assert category["Alertes"] == "2"
    communities = {row["Communauté"]: row for row in _table(month["Communautés"])}
    assert communities["Centre-bourg"]["Alertes : 30 derniers jours"] == "1"
    assert communities["Les Tuileries"]["Membres vérifiés"] == "0"
    (sms,) = _table(month["SMS ce mois-ci"])
    sent = Delivery.objects.filter(
        message__payer=cadaujac, channel=Channel.SMS, segments__isnull=False
    )
    assert sms["SMS"] == str(sent.count())
    cost = sum(d.segments * d.price_per_segment for d in sent).quantize(Decimal("0.01"))
    assert sms["Coût (€)"] == f"{cost:.2f}".replace(".", ",")
    assert sms["Budget du mois (€)"] == "10,00"
    assert sms["Budget dépensé (%)"] == str(int(cost * 100 / 10))
    header = month["Tableau de bord de Cadaujac"][1]
    assert header[:3] == ["Cadaujac", "33080", "30 derniers jours"]
    assert "Didenheim" not in str(month)


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("platform", "2"),
        ("administrator", "2"),
        ("moderator", "< 5"),
        ("broadcaster", "< 5"),
        ("editor", "< 5"),
    ],
)
def test_small_counts_of_a_community_are_written_below_5_except_for_administrators(
    who, shown, staff_everywhere, sign_in, paul_neighbour, cadaujac
):
    """Centre-bourg has two verified members (Jeanne and Paul): the page shows "< 5" to
    whoever is not an administrator, and so does the file."""
    client = sign_in(Client(), staff_everywhere[who])

    sections = _sections(_export(client, cadaujac))
    page = client.get(
        f"/admin/tableau-de-bord/?commune={cadaujac.pk}", HTTP_HOST=CADAUJAC_HOST
    ).content.decode()

    (centre,) = _table(sections["Communautés"])[:1]
    assert centre["Communauté"] == "Centre-bourg"
    assert centre["Membres vérifiés"] == shown
    (members,) = _table(sections["Membres"])
    assert members["Membres vérifiés"] == "2"  # the commune's total is not a breakdown
    masked_on_page = "&lt; 5" in page
    assert masked_on_page is (shown == "< 5")
