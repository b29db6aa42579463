"""A city's dashboard with hundreds of neighbourhoods: the page lists the most active
communities (all of them up to ``COMMUNITY_ROWS_SHOWN``) and says where the others are; the
CSV export still holds every one."""

import pytest
from django.test import Client
from django.utils.html import escape

from communities.models import Community, Membership
from dashboard.figures import COMMUNITY_ROWS_SHOWN

from .test_dashboard_exports import CADAUJAC_HOST, _export, _sections, _table

pytestmark = pytest.mark.django_db


def _page(client, commune) -> str:
    response = client.get(f"/admin/tableau-de-bord/?commune={commune.pk}", HTTP_HOST=CADAUJAC_HOST)
    assert response.status_code == 200
    return response.content.decode()


def test_a_city_sees_its_most_active_communities_and_the_export_has_them_all(
    cadaujac, arnaud_admin, jeanne_resident, sign_in
):
    existing = cadaujac.communities.count()
    Community.objects.bulk_create(
        Community(commune=cadaujac, name=f"Quartier {number:03d}", slug=f"quartier-{number:03d}")
        for number in range(1, COMMUNITY_ROWS_SHOWN + 11)
    )
    # The last neighbourhood is the liveliest: it must be listed whatever its name.
    liveliest = Community.objects.get(
        commune=cadaujac, slug=f"quartier-{COMMUNITY_ROWS_SHOWN + 10:03d}"
    )
    moved = Membership.objects.get(user=jeanne_resident)
    moved.community = liveliest
    moved.save()
    total = existing + COMMUNITY_ROWS_SHOWN + 10
    client = sign_in(Client(), arnaud_admin)

    page = _page(client, cadaujac)

    listed = [f"Quartier {number:03d}" for number in range(1, COMMUNITY_ROWS_SHOWN + 11)]
    names = cadaujac.communities.values_list("name", flat=True)
    shown = [name for name in names if f'<th scope="row">{escape(name)}</th>' in page]
    assert len(shown) == COMMUNITY_ROWS_SHOWN
    assert liveliest.name in shown
    left_out = total - COMMUNITY_ROWS_SHOWN
    assert f"les {left_out} autres figurent dans l'export CSV" in page
    rows = _table(_sections(_export(client, cadaujac))["Communautés"])
    assert {row["Communauté"] for row in rows} >= set(listed)


def test_a_village_sees_every_community_and_no_note(cadaujac, arnaud_admin, sign_in):
    client = sign_in(Client(), arnaud_admin)
    page = _page(client, cadaujac)
    for community in cadaujac.communities.all():
        assert f'<th scope="row">{community.name}</th>' in page
    assert "figurent dans l'export CSV" not in page
