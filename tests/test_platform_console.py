"""The platform team's console: every commune's figures in one sortable table and its CSV,
for superusers only; creating a commune from the admin with the command's checks; a query
count that does not grow with the number of communes."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Site

from alerts.models import AlertCategory
from alerts.services import alert_post
from communities.memberships import membership_leave
from communities.models import Commune, CommuneGroup, Membership, MembershipStatus
from communities.services import commune_create
from dashboard.console import console_rows
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.tallies import tallies_refresh

pytestmark = pytest.mark.django_db

CONSOLE = "/admin/console/"
CONSOLE_CSV = "/admin/console/communes.csv"
CREATE = "/admin/console/nouvelle-commune/"
MARKER = 'data-commune="33080"'

PEOPLE = [
    "platform",
    "administrator",
    "moderator",
    "broadcaster",
    "editor",
    "police",
    "resident",
    "anonymous",
    "other administrator",
    "other moderator",
    "other police",
]


def _client(sign_in, user):
    client = Client()
    return sign_in(client, user) if user is not None else client


def _csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


@pytest.fixture
def post(django_capture_on_commit_callbacks, settings):
    settings.SMS_BACKEND = "outbox"
    settings.SMS_PRICE_PER_SEGMENT = 0.05

    def do(author, text="Voiture grise au pas devant les maisons."):
        with django_capture_on_commit_callbacks(execute=True):
            return alert_post(author=author, category=AlertCategory.SCOUTING, text=text)

    return do


# --- Who reaches the console -------------------------------------------------------------------


@pytest.mark.parametrize("who", PEOPLE)
def test_only_the_platform_team_reaches_the_console_its_csv_and_commune_creation(
    who, staff_everywhere, sign_in
):
    client = _client(sign_in, staff_everywhere[who])
    allowed = who == "platform"

    page = client.get(CONSOLE)
    assert (page.status_code == 200 and MARKER in page.content.decode()) is allowed, who
    export = client.get(CONSOLE_CSV)
    assert (export.status_code == 200 and export["Content-Type"].startswith("text/csv")) is (
        allowed
    ), who
    form = client.get(CREATE)
    assert (form.status_code == 200 and 'name="insee_code"' in form.content.decode()) is allowed
    created = client.post(
        CREATE, {"name": "Eysines", "insee_code": "33162", "hostname": "eysines.localhost"}
    )
    assert Commune.objects.filter(insee_code="33162").exists() is allowed, who
    if not allowed:
        assert created.status_code in (302, 404), who
        assert not Site.objects.filter(hostname="eysines.localhost").exists()
    home = client.get("/admin/")
    assert ("Console de la plateforme" in home.content.decode()) is allowed, who


# --- What the console shows --------------------------------------------------------------------


def test_the_console_and_its_csv_give_each_communes_figures_from_the_database(
    post,
    sign_in,
    platform_admin,
    arnaud_admin,
    jeanne_resident,
    paul_neighbour,
    lucie_tuileries,
    pierre_pending,
    dieter_didenheim,
    cadaujac,
    didenheim,
):
    post(paul_neighbour)
    post(jeanne_resident, text="Démarcheur insistant rue des Vignes.")
    membership_leave(membership=Membership.objects.get(user=lucie_tuileries))
    Membership.objects.filter(user=pierre_pending).update(
        requested_at=timezone.now() - timedelta(days=3)
    )
    sms = Delivery.objects.filter(channel=Channel.SMS, sent_at__isnull=False)
    assert sms.exists()
    queued = Delivery.objects.filter(message__alert_message__alert__commune=cadaujac).first()
    queued_at = timezone.now() - timedelta(hours=5)
    Delivery.objects.filter(pk=queued.pk).update(status=DeliveryStatus.QUEUED, created_at=queued_at)
    failed = Delivery.objects.filter(message__alert_message__alert__commune=cadaujac).exclude(
        pk=queued.pk
    )[:1]
    Delivery.objects.filter(pk__in=[d.pk for d in failed]).update(status=DeliveryStatus.FAILED)
    Commune.objects.filter(pk=cadaujac.pk).update(sms_budget=Decimal("10.00"))
    tallies_refresh()  # the minute's count of the outbox's tallies
    arnaud_admin.last_login = timezone.now() - timedelta(days=1)
    arnaud_admin.save(update_fields=["last_login"])
    client = sign_in(Client(), platform_admin)

    rows = _csv(client.get(CONSOLE_CSV))

    header = rows[1]
    table = {row[0]: dict(zip(header, row, strict=True)) for row in rows[2:]}
    assert set(table) == {"Cadaujac", "Didenheim"}
    cadaujac_row = table["Cadaujac"]
    verified = Membership.objects.filter(
        community__commune=cadaujac, status=MembershipStatus.VERIFIED
    ).count()
    assert cadaujac_row["Membres vérifiés"] == str(verified) == "2"  # Lucie left
    assert cadaujac_row["Arrivées (30 j)"] == "3"  # Jeanne, Paul and Lucie joined
    assert cadaujac_row["Départs (30 j)"] == "1"
    assert cadaujac_row["Évolution (30 j)"] == "2"
    assert cadaujac_row["Alertes (30 j)"] == "2"
    cadaujac_sms = sms.filter(message__alert_message__alert__commune=cadaujac)
    segments = sum(d.segments for d in cadaujac_sms)
    cost = sum(d.segments * d.price_per_segment for d in cadaujac_sms).quantize(Decimal("0.01"))
    assert cadaujac_row["Segments SMS ce mois-ci"] == str(segments)
    assert cadaujac_row["Coût SMS ce mois-ci (€)"] == f"{cost:.2f}".replace(".", ",")
    assert cadaujac_row["Budget SMS mensuel (€)"] == "10,00"
    assert cadaujac_row["Budget consommé (%)"] == str(round(100 * cost / 10))
    assert cadaujac_row["Inscriptions à valider"] == "1"
    oldest = Membership.objects.get(user=pierre_pending).requested_at
    assert cadaujac_row["Plus ancienne inscription depuis le"] == timezone.localtime(
        oldest
    ).strftime("%d/%m/%Y %H:%M")
    assert cadaujac_row["Plus ancien envoi en file depuis le"] == timezone.localtime(
        queued_at
    ).strftime("%d/%m/%Y %H:%M")
    deliveries = Delivery.objects.filter(message__alert_message__alert__commune=cadaujac)
    assert cadaujac_row["Envois (7 j)"] == str(deliveries.count())
    assert cadaujac_row["Échecs (7 j)"] == "1"
    assert cadaujac_row["Taux d'échec (7 j, %)"] == str(round(100 / deliveries.count()))
    assert cadaujac_row["Dernière connexion du personnel"] == timezone.localtime(
        arnaud_admin.last_login
    ).strftime("%d/%m/%Y %H:%M")
    didenheim_row = table["Didenheim"]
    assert didenheim_row["Membres vérifiés"] == "1"
    assert didenheim_row["Alertes (30 j)"] == "0"
    assert didenheim_row["Coût SMS ce mois-ci (€)"] == "0,00"
    assert didenheim_row["Budget consommé (%)"] == ""
    assert didenheim_row["Dernière connexion du personnel"] == ""

    page = client.get(CONSOLE).content.decode()
    assert "5 h 00 min" in page or "4 h 59 min" in page  # the oldest queued delivery
    assert "3 j 0 h" in page  # the oldest registration


def test_clicking_a_column_sorts_the_communes_and_a_second_click_reverses(
    sign_in, platform_admin, jeanne_resident, paul_neighbour, dieter_didenheim, cadaujac
):
    commune_create(name="Eysines", insee_code="33162", hostname="eysines.localhost")
    client = sign_in(Client(), platform_admin)

    def order(query: str) -> list[str]:
        page = client.get(CONSOLE + query).content.decode()
        codes = ("33080", "68074", "33162")
        return sorted(codes, key=lambda code: page.index(f'data-commune="{code}"'))

    assert order("") == ["33080", "68074", "33162"]  # by name: Cadaujac, Didenheim, Eysines
    assert order("?tri=-membres") == ["33080", "68074", "33162"]  # 2, 1, 0 members
    assert order("?tri=membres") == ["33162", "68074", "33080"]
    page = client.get(CONSOLE + "?tri=membres").content.decode()
    assert 'aria-sort="ascending"' in page
    assert 'href="?tri=-membres"' in page  # the next click reverses
    assert order("?tri=inconnu") == ["33080", "68074", "33162"]


def test_the_console_costs_the_same_queries_for_two_and_six_communes(
    post, sign_in, platform_admin, jeanne_resident, paul_neighbour, dieter_didenheim
):
    post(paul_neighbour)
    client = sign_in(Client(), platform_admin)

    def measure() -> tuple[int, int, int]:
        # Not counted: the first staff page after sign-in saves the session's expiry, and the
        # first after a commune is created reads the site's commune again.
        client.get(CONSOLE)
        with CaptureQueriesContext(connection) as rows_read:
            console_rows(now=timezone.now())
        with CaptureQueriesContext(connection) as page:
            assert client.get(CONSOLE).status_code == 200
        with CaptureQueriesContext(connection) as export:
            assert client.get(CONSOLE_CSV).status_code == 200
        return len(rows_read), len(page), len(export)

    two = measure()
    for name, insee in (("Eysines", "33162"), ("Blanquefort", "33056"), ("Le Haillan", "33200")):
        commune_create(name=name, insee_code=insee, hostname=f"{insee}.localhost")
    commune_create(name="Mérignac", insee_code="33281", hostname="merignac.localhost")
    assert Commune.objects.count() == 6
    six = measure()

    assert two == six
    # Communes and sign-ins, members, alerts, SMS (2, tallies), delivery health (tallies,
    # and the open messages' queued deliveries).
    assert two[0] == 7


def test_the_delivery_health_column_reads_the_tallies_not_the_weeks_deliveries(
    post, sign_in, platform_admin, jeanne_resident, paul_neighbour, cadaujac
):
    """Once a message settled, its outcomes are the tally's: the console reads the week's
    tallies and only the open messages' queued deliveries."""
    post(paul_neighbour)
    deliveries = Delivery.objects.filter(message__alert_message__alert__commune=cadaujac)
    Delivery.objects.filter(pk=deliveries.first().pk).update(status=DeliveryStatus.FAILED)
    tallies_refresh(now=timezone.now() + timedelta(hours=2))  # counted and settled

    with CaptureQueriesContext(connection) as read:
        row = next(row for row in console_rows(now=timezone.now()) if row.pk == cadaujac.pk)

    assert (row.deliveries, row.failed) == (deliveries.count(), 1)
    assert row.oldest_queued_at is None
    delivery_reads = [q["sql"] for q in read if 'FROM "notifications_delivery"' in q["sql"]]
    assert delivery_reads  # the SMS spend's and the queued ones: of the open messages only
    assert all("settled" in sql for sql in delivery_reads)
    assert not any('"notifications_delivery"."created_at" >' in sql for sql in delivery_reads)


# --- Creating a commune ------------------------------------------------------------------------


def test_the_platform_team_creates_a_commune_with_its_site_and_staff_groups(
    sign_in, platform_admin
):
    client = sign_in(Client(), platform_admin)

    response = client.post(
        CREATE,
        {"name": "Eysines", "insee_code": "33162", "hostname": "Eysines.Localhost"},
        follow=True,
    )

    commune = Commune.objects.get(insee_code="33162")
    assert commune.name == "Eysines"
    assert commune.site.hostname == "eysines.localhost"
    assert commune.sms_sender_name == "Eysines"
    assert CommuneGroup.objects.filter(commune=commune).count() == 5
    assert "Commune créée : Eysines (33162) sur eysines.localhost." in response.content.decode()
    assert 'data-commune="33162"' in response.content.decode()  # back on the console


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"name": "Eysines", "insee_code": "99999", "hostname": "eysines.localhost"},
            "« 99999 » n&#x27;est pas un code INSEE de commune valide",
        ),
        (
            {"name": "Eysines", "insee_code": "33162", "hostname": "cadaujac.localhost"},
            "Le nom d&#x27;hôte cadaujac.localhost est déjà utilisé par un autre site.",
        ),
        (
            {"name": "Eysines", "insee_code": "33162", "hostname": "pas un hôte"},
            "« pas un hôte » n&#x27;est pas un nom d&#x27;hôte valide.",
        ),
        (
            {"name": "Cadaujac bis", "insee_code": "33080", "hostname": "autre.localhost"},
            "La commune 33080 existe déjà : Cadaujac.",
        ),
        (
            {
                "name": "Eysines",
                "insee_code": "33162",
                "hostname": "eysines.localhost",
                "sms_sender_name": "Éysines!",
            },
            "Le nom d&#x27;expéditeur SMS comporte 1 à 11 caractères sans accent",
        ),
    ],
)
def test_a_refused_commune_says_why_in_french_and_creates_nothing(
    data, message, sign_in, platform_admin, cadaujac
):
    client = sign_in(Client(), platform_admin)
    sites, communes = Site.objects.count(), Commune.objects.count()

    response = client.post(CREATE, data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert (Site.objects.count(), Commune.objects.count()) == (sites, communes)
