"""``seed_scale --communes``: a whole platform for the benchmarks, with the real spread of
commune sizes (a town, then villages), each commune with its own site, pages and members,
answering on its own host; a second run creates nothing more."""

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Site

from communities.models import Commune, Membership, MembershipStatus
from demo.platform_scale import commune_sizes, pages_planned
from mairie_pages.models import AnnouncementPage, EventPage

pytestmark = pytest.mark.django_db


def test_sizes_follow_a_long_tail_and_add_up_to_the_members_asked():
    sizes = commune_sizes(communes=600, members=1_000_000)
    assert sum(sizes) == 1_000_000
    assert sizes == sorted(sizes, reverse=True)
    assert sum(1 for size in sizes if size >= 50_000) >= 2  # a few towns
    assert sum(1 for size in sizes if size < 1_000) >= 400  # the long tail of villages
    assert pages_planned(sizes[0]) == {"announcements": 12, "events": 6, "standard": 6}
    assert pages_planned(sizes[-1]) == {"announcements": 2, "events": 1, "standard": 1}


def test_a_platform_of_communes_each_with_its_site_pages_and_members(client, capsys):
    call_command("seed_scale", "--communes", "4", "--members", "3000")
    out = capsys.readouterr().out
    assert "4 communes synthétiques (4 créées" in out

    communes = Commune.objects.filter(site__hostname__endswith=".scale.localhost").order_by("name")
    assert communes.count() == 4
    sizes = commune_sizes(communes=4, members=3000)
    for commune, size in zip(communes, sizes, strict=True):
        members = Membership.objects.filter(
            community__commune=commune, status=MembershipStatus.VERIFIED
        ).count()
        assert members == size
        home = commune.site.root_page
        planned = pages_planned(size)
        assert (
            AnnouncementPage.objects.descendant_of(home).live().count()
            == (planned["announcements"])
        )
        assert EventPage.objects.descendant_of(home).live().count() == planned["events"]
    first = communes.first()
    page = client.get("/actualites/", HTTP_HOST=first.site.hostname)
    assert page.status_code == 200
    assert "Annonce n° 1 de la commune 1" in page.content.decode()

    call_command("seed_scale", "--communes", "4", "--members", "3000")
    assert "4 communes synthétiques (0 créées, 0 pages), 0 membres" in capsys.readouterr().out
    assert Site.objects.filter(hostname__endswith=".scale.localhost").count() == 4


def test_fewer_members_than_communes_is_refused_and_nothing_is_created():
    with pytest.raises(CommandError, match="au moins un membre par commune"):
        call_command("seed_scale", "--communes", "10", "--members", "5")
    assert not Commune.objects.filter(site__hostname__endswith=".scale.localhost").exists()
