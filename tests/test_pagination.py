"""Every list is paged the same way (``communities.pagination.page_of`` and
``components/pagination.html``): ``?page=n``, links that keep the list's search and filters,
"page n of m", and markup a screen reader can use.
"""

import re

import pytest
from django.test import Client, RequestFactory

from communities.pagination import page_of
from mairie_pages.models import AnnouncementIndexPage, AnnouncementPage

pytestmark = pytest.mark.django_db

HOST = "cadaujac.localhost"
ITEMS = list(range(45))  # three pages of 20, the last one short


def _page(query: str):
    return page_of(request=RequestFactory().get(f"/liste/{query}"), items=ITEMS, per_page=20)


@pytest.mark.parametrize(
    ("query", "number"),
    [("", 1), ("?page=2", 2), ("?p=2", 2), ("?page=abc", 1), ("?page=99", 3), ("?page=-1", 3)],
)
def test_the_page_number_comes_from_page_or_older_p_links_and_never_fails(query, number):
    assert _page(query).number == number


@pytest.fixture
def thirteen_announcements(cadaujac):
    index = AnnouncementIndexPage.objects.child_of(cadaujac.site.root_page).get()
    for number in range(13):
        index.add_child(
            instance=AnnouncementPage(
                title=f"Annonce n°{number}", slug=f"annonce-{number}", summary="Info."
            )
        )


def test_a_list_says_which_page_of_how_many_in_an_accessible_navigation(thirteen_announcements):
    client = Client(HTTP_HOST=HOST)

    first = client.get("/actualites/").content.decode()
    second = client.get("/actualites/", {"page": 2}).content.decode()

    assert re.search(r'<nav class="pagination" aria-label="Pagination">', first)
    assert '<span aria-current="page">Page 1 sur 2</span>' in first
    assert 'href="?page=2" rel="next"' in first
    assert 'rel="prev"' not in first
    assert '<span aria-current="page">Page 2 sur 2</span>' in second
    assert 'href="?page=1" rel="prev"' in second


def test_pagination_keeps_the_lists_filter(thirteen_announcements, paul_neighbour):
    client = Client(HTTP_HOST=HOST)
    client.force_login(paul_neighbour)

    html = client.get("/gazette/", {"categorie": "mairie"}).content.decode()

    assert "Page 1 sur 2" in html
    assert 'href="?categorie=mairie&amp;page=2"' in html


def test_an_older_p_link_leads_to_page_links_that_say_page(thirteen_announcements):
    html = Client(HTTP_HOST=HOST).get("/actualites/", {"p": 2}).content.decode()

    assert "Page 2 sur 2" in html
    assert 'href="?page=1" rel="prev"' in html
    assert "p=2" not in html


def test_a_single_page_shows_no_pagination(cadaujac):
    html = Client(HTTP_HOST=HOST).get("/actualites/").content.decode()

    assert 'class="pagination"' not in html
