"""Every list of the mairie's announcements follows one rule (``AnnouncementPage.objects
.public_of``): the commune's live, unexpired, unrestricted announcements, and nothing else.

An unpublished, expired or restricted announcement, and another commune's, is listed
nowhere: not on the home page, the index page, the feeds, the gazette, the digest or the
search results.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.models import PageViewRestriction

from gazette.digest import digest_for
from mairie_pages.models import AnnouncementIndexPage, AnnouncementPage

pytestmark = pytest.mark.django_db

HOST = "cadaujac.localhost"


def _announce(commune, slug, title, **fields):
    index = AnnouncementIndexPage.objects.child_of(commune.site.root_page).get()
    page = index.add_child(
        instance=AnnouncementPage(title=title, slug=slug, summary=f"{title} : les détails.")
    )
    # Written after creation: Wagtail's own checks concern its editing form, not the rule.
    AnnouncementPage.objects.filter(pk=page.pk).update(
        first_published_at=timezone.now() - timedelta(days=1), **fields
    )
    page.refresh_from_db()
    return page


@pytest.fixture
def announcements(cadaujac, didenheim):
    """Every title says "lanterne" so that one search reaches all of them."""
    now = timezone.now()
    restricted = _announce(cadaujac, "reservee", "Lanterne réservée aux élus")
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.LOGIN)
    unpublished = _announce(cadaujac, "retiree", "Lanterne retirée")
    unpublished.unpublish()
    return {
        "listed": [
            _announce(cadaujac, "fete", "Fête de la lanterne"),
            _announce(cadaujac, "atelier", "Atelier lanterne", expire_at=now + timedelta(days=1)),
        ],
        "hidden": [
            _announce(cadaujac, "perimee", "Lanterne périmée", expire_at=now - timedelta(hours=1)),
            unpublished,
            restricted,
            _announce(didenheim, "voisine", "Lanterne de Didenheim"),
        ],
    }


def _assert_lists_exactly(html: str, announcements) -> None:
    """By their links, which every list writes (search highlights words in titles)."""
    for page in announcements["listed"]:
        assert f"/actualites/{page.slug}/" in html
    for page in announcements["hidden"]:
        assert f"/actualites/{page.slug}/" not in html


def test_the_rule_keeps_the_communes_live_unexpired_public_announcements(announcements, cadaujac):
    listed = AnnouncementPage.objects.public_of(commune=cadaujac)

    assert set(listed) == set(announcements["listed"])


@pytest.mark.parametrize(
    "path",
    ["/", "/actualites/", "/flux/annonces.xml", "/flux/annonces.atom", "/recherche/?q=lanterne"],
)
def test_anonymous_lists_show_only_listed_announcements(announcements, path):
    response = Client(HTTP_HOST=HOST).get(path)

    assert response.status_code == 200
    _assert_lists_exactly(response.content.decode(), announcements)


@pytest.mark.parametrize(
    "path", ["/gazette/", "/gazette/?categorie=mairie", "/recherche/?q=lanterne"]
)
def test_members_lists_show_only_listed_announcements(announcements, paul_neighbour, path):
    client = Client(HTTP_HOST=HOST)
    client.force_login(paul_neighbour)

    response = client.get(path)

    assert response.status_code == 200
    _assert_lists_exactly(response.content.decode(), announcements)


def test_the_digest_brings_only_listed_announcements(announcements, paul_neighbour, cadaujac):
    digest = digest_for(user=paul_neighbour, commune=cadaujac, until=timezone.now())

    assert set(digest.announcements) == set(announcements["listed"])


def test_an_announcement_is_listed_again_once_its_expiry_is_moved_later(announcements, cadaujac):
    expired = announcements["hidden"][0]
    AnnouncementPage.objects.filter(pk=expired.pk).update(
        expire_at=timezone.now() + timedelta(days=7)
    )

    html = Client(HTTP_HOST=HOST).get("/actualites/").content.decode()

    assert f"/actualites/{expired.slug}/" in html
