"""The announcements feeds (RSS and Atom) list one commune's public announcements only.

Never another commune's, never a gazette post (not even one aimed at the whole commune),
never an unpublished or restricted page.
"""

import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from wagtail.models import PageViewRestriction

from gazette.models import GazetteCategory, GazetteIndexPage, GazettePost
from mairie_pages.models import AnnouncementIndexPage, AnnouncementPage

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def _announce(commune, slug, title):
    index = AnnouncementIndexPage.objects.child_of(commune.site.root_page).get()
    return index.add_child(
        instance=AnnouncementPage(title=title, slug=slug, summary=f"{title} : les détails.")
    )


@pytest.fixture
def content(cadaujac, didenheim, jeanne_resident):
    gazette = GazetteIndexPage.objects.descendant_of(cadaujac.site.root_page).get()
    post = GazettePost(
        title="Fête des voisins du Centre-bourg",
        slug="fete-voisins",
        category=GazetteCategory.MAIRIE,
        body="Toute la commune est invitée.",
        author=jeanne_resident,
        owner=jeanne_resident,
    )
    gazette.add_child(instance=post)
    restricted = _announce(cadaujac, "reserve", "Note réservée aux élus")
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.LOGIN)
    draft = _announce(cadaujac, "brouillon", "Annonce en brouillon")
    draft.unpublish()
    return {
        "water": _announce(cadaujac, "coupure-eau", "Coupure d'eau mardi"),
        "council": _announce(cadaujac, "conseil", "Conseil municipal jeudi"),
        "other_commune": _announce(didenheim, "marche", "Marché de Noël de Didenheim"),
        "post": post,
        "restricted": restricted,
        "draft": draft,
    }


def _rss_titles(response) -> list[str]:
    root = ET.fromstring(response.content)  # noqa: S314 (our own feed)
    return [item.findtext("title") for item in root.iter("item")]


def _atom_titles(response) -> list[str]:
    root = ET.fromstring(response.content)  # noqa: S314 (our own feed)
    return [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]


@pytest.mark.parametrize(
    ("path", "titles", "content_type"),
    [
        ("/flux/annonces.xml", _rss_titles, "application/rss+xml"),
        ("/flux/annonces.atom", _atom_titles, "application/atom+xml"),
    ],
)
def test_the_feed_lists_this_communes_public_announcements_only(
    content, path, titles, content_type
):
    response = Client(HTTP_HOST="cadaujac.localhost").get(path)

    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert sorted(titles(response)) == sorted([content["water"].title, content["council"].title])
    body = response.content.decode()
    for name in ("other_commune", "post", "restricted", "draft"):
        assert content[name].title not in body, name
    assert f"http://cadaujac.localhost{content['water'].get_url_parts()[2]}" in body


def test_the_other_communes_feed_lists_its_own_announcements(content):
    response = Client(HTTP_HOST="didenheim.localhost").get("/flux/annonces.xml")

    assert _rss_titles(response) == [content["other_commune"].title]


def test_a_feed_is_the_same_for_a_signed_in_member(content, jeanne_resident):
    client = Client(HTTP_HOST="cadaujac.localhost")
    client.force_login(jeanne_resident)

    titles = _rss_titles(client.get("/flux/annonces.xml"))

    assert content["post"].title not in titles
    assert len(titles) == 2


def test_the_platform_site_has_no_feed(content):
    assert Client(HTTP_HOST="127.0.0.1").get("/flux/annonces.xml").status_code == 404


def test_commune_pages_announce_their_feeds(content):
    html = Client(HTTP_HOST="cadaujac.localhost").get("/").content.decode()

    assert 'rel="alternate" type="application/rss+xml"' in html
    assert 'href="/flux/annonces.xml"' in html
    assert 'href="/flux/annonces.atom"' in html


def test_the_news_page_links_to_its_feeds_for_people_too(content):
    html = Client(HTTP_HOST="cadaujac.localhost").get("/actualites/").content.decode()

    assert '<a href="/flux/annonces.xml">Suivre les annonces par flux RSS</a>' in html
    assert '<a href="/flux/annonces.atom">flux Atom</a>' in html
