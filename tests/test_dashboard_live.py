"""The dashboard refreshes itself: the fragment it polls shows a new alert, registration or
delivery outcome within seconds, and its charts can be read without seeing colours."""

import re
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.models import AlertCategory
from alerts.services import alert_post
from communities.models import MembershipStatus
from dashboard import live
from notifications.models import Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(arnaud_admin, sign_in):
    return sign_in(Client(), arnaud_admin)


def _figure(client, commune, name: str) -> str:
    html = client.get(f"/admin/tableau-de-bord/chiffres/?commune={commune.pk}").content.decode()
    return re.search(rf'data-figure="{name}">([^<]*)<', html).group(1)


def test_a_new_alert_shows_on_the_next_poll(
    staff, cadaujac, paul_neighbour, jeanne_resident, django_capture_on_commit_callbacks, settings
):
    settings.SMS_BACKEND = "outbox"
    assert _figure(staff, cadaujac, "alerts-week") == "0"

    with django_capture_on_commit_callbacks(execute=True):
        alert_post(author=paul_neighbour, category=AlertCategory.BURGLARY, text="Porte forcée.")

    # The figures were cached a moment ago; the alert's commit made them stale at once.
    assert _figure(staff, cadaujac, "alerts-week") == "1"


def test_a_new_registration_shows_on_the_next_poll(
    staff, cadaujac, centre_bourg, make_member, django_capture_on_commit_callbacks
):
    assert _figure(staff, cadaujac, "registrations-waiting") == "0"
    with django_capture_on_commit_callbacks(execute=True):
        make_member(
            "nouveau@cadaujac.test",
            centre_bourg,
            first_name="Noé",
            last_name="Nouveau",
            status=MembershipStatus.PENDING,
        )
    assert _figure(staff, cadaujac, "registrations-waiting") == "1"


def test_a_delivery_outcome_shows_once_the_tallies_are_counted_again(
    staff,
    cadaujac,
    paul_neighbour,
    jeanne_resident,
    django_capture_on_commit_callbacks,
    settings,
    monkeypatch,
):
    settings.SMS_BACKEND = "outbox"
    monkeypatch.setattr(live, "TALLIES_EVERY_SECONDS", 1)
    with django_capture_on_commit_callbacks(execute=True):
        alert_post(author=paul_neighbour, category=AlertCategory.SCOUTING, text="Voiture lente.")
    assert _figure(staff, cadaujac, "unreached").startswith("0 ")

    # The outbox writes outcomes in bulk (no model signal): the watched dashboard has the
    # tallies counted again at most every few seconds, and the count makes the figures
    # stale long before their lifetime ends.
    Delivery.objects.filter(user=jeanne_resident).update(
        status=DeliveryStatus.FAILED, updated_at=timezone.now()
    )
    time.sleep(1.1)
    assert _figure(staff, cadaujac, "unreached").startswith("1 ")


def test_a_poll_with_nothing_new_reads_no_figure_from_the_database(
    staff, cadaujac, paul_neighbour, django_capture_on_commit_callbacks, settings
):
    settings.SMS_BACKEND = "outbox"
    with django_capture_on_commit_callbacks(execute=True):
        alert_post(author=paul_neighbour, category=AlertCategory.SCOUTING, text="Voiture lente.")
    url = f"/admin/tableau-de-bord/chiffres/?commune={cadaujac.pk}"
    first = staff.get(url).content

    with CaptureQueriesContext(connection) as captured:
        again = staff.get(url).content

    assert again == first
    read = " ".join(query["sql"] for query in captured.captured_queries)
    for table in ("alerts_alert", "notifications_deliverytally", "dashboard_communitymembercount"):
        assert table not in read


def test_the_fragment_is_never_cached_by_the_browser(staff, cadaujac):
    response = staff.get(f"/admin/tableau-de-bord/chiffres/?commune={cadaujac.pk}")
    assert "no-store" in response["Cache-Control"]


def test_each_chart_has_a_text_alternative_a_summary_and_its_data_table(
    staff, cadaujac, paul_neighbour, jeanne_resident, django_capture_on_commit_callbacks, settings
):
    settings.SMS_BACKEND = "outbox"
    with django_capture_on_commit_callbacks(execute=True):
        alert_post(author=paul_neighbour, category=AlertCategory.SCOUTING, text="Voiture lente.")
    html = staff.get(f"/admin/tableau-de-bord/?commune={cadaujac.pk}").content.decode()

    charts = re.findall(r'<svg class="dashboard-svg" role="img" aria-labelledby="([^"]+)"', html)
    assert len(charts) == 3
    for labels in charts:
        for label_id in labels.split():
            assert f'id="{label_id}"' in html
    assert "1 alerte diffusée en 12 mois" in html
    assert "nouveaux membres en 12 mois" in html
    # Channel shares are written out, not only coloured: a text per segment and the table.
    assert re.search(r"SMS : \d+ % distribués, \d+ % en échec", html)
    assert "(hachuré)" in html
    assert "(pointillé)" in html
    assert html.count("<table") >= 5
    # Scrolling tables are keyboard reachable regions.
    assert 'class="dashboard-table-scroll" role="region" tabindex="0"' in html
    # The page polls its own fragment from a static file, no CDN.
    assert 'data-refresh-url="/admin/tableau-de-bord/chiffres/?commune=' in html
    assert "/static/js/dashboard.js" in html
