"""The mairie's dashboard and its live fragment cost the same number of queries for a small
commune and a larger one: figures are sums of tallies and grouped counts, never a read of
every delivery."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from alerts.models import AlertCategory
from alerts.services import alert_post
from dashboard.live import figures_version_bump
from notifications.models import Delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(arnaud_admin, sign_in):
    return sign_in(Client(), arnaud_admin)


@pytest.fixture
def grow(make_member, django_capture_on_commit_callbacks, settings):
    settings.SMS_BACKEND = "outbox"

    def do(community, size: int):
        """``size`` more members, each posting an alert to the others."""
        authors = [
            make_member(
                f"vitesse{size}-{i}@cadaujac.test",
                community,
                first_name="Voisin",
                last_name=str(i),
                phone=f"+3362{size:02d}{i:05d}",
            )
            for i in range(size)
        ]
        for author in authors:
            with django_capture_on_commit_callbacks(execute=True):
                alert_post(author=author, category=AlertCategory.SCOUTING, text="Rôdeur vu.")

    return do


def _queries(client, url: str, commune) -> int:
    client.get(url)  # the tallies are counted (at most every few seconds), figures cached
    figures_version_bump(commune_id=commune.pk)  # the next view reads the figures again
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_dashboard_and_its_live_fragment_cost_the_same_queries_at_any_size(
    staff, grow, cadaujac, centre_bourg, tuileries
):
    page = f"/admin/tableau-de-bord/?commune={cadaujac.pk}"
    live = f"/admin/tableau-de-bord/chiffres/?commune={cadaujac.pk}"
    grow(centre_bourg, 2)
    small = (_queries(staff, page, cadaujac), _queries(staff, live, cadaujac))
    deliveries = Delivery.objects.count()

    grow(tuileries, 10)
    grow(centre_bourg, 6)
    larger = (_queries(staff, page, cadaujac), _queries(staff, live, cadaujac))

    assert Delivery.objects.count() > 4 * deliveries
    assert small == larger


def test_the_dashboard_page_with_its_figures_cached_costs_few_queries(staff, cadaujac):
    """The admin around the page reads the user's roles once (every sidebar entry asks),
    and a page seen again saves no session."""
    page = f"/admin/tableau-de-bord/?commune={cadaujac.pk}"
    staff.get(page)
    staff.get(page)
    with CaptureQueriesContext(connection) as captured:
        response = staff.get(page)
    assert response.status_code == 200
    reads = [query["sql"] for query in captured.captured_queries]
    assert not [sql for sql in reads if "django_session" in sql]
    assert len(reads) == 11
