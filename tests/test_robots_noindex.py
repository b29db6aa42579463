"""Members' pages tell search engines not to index them; public pages stay indexable."""

import pytest
from django.test import Client

from gazette.models import GazetteCategory
from gazette.services import gazette_post_create
from tests.conftest import CADAUJAC_HOST

NOINDEX_META = '<meta name="robots" content="noindex">'
MEMBER_PAGES = [
    "/gazette/",
    "/alertes/",
    "/annuaire/",
    "/messages/",
    "/compte/",
    "/compte/notifications/",
    "/publier/",
]


@pytest.fixture
def jeanne_browser(jeanne_resident, sign_in):
    return sign_in(Client(headers={"host": CADAUJAC_HOST}), jeanne_resident)


def assert_noindex(response, path):
    assert response.status_code == 200, (path, response.status_code)
    assert response["X-Robots-Tag"] == "noindex", path
    assert NOINDEX_META in response.content.decode(), path


def assert_indexable(response, path):
    assert response.status_code == 200, (path, response.status_code)
    assert "X-Robots-Tag" not in response, path
    assert 'name="robots"' not in response.content.decode(), path


@pytest.mark.parametrize("path", MEMBER_PAGES)
def test_member_pages_say_noindex_in_header_and_meta(jeanne_browser, path):
    assert_noindex(jeanne_browser.get(path), path)


def test_a_gazette_post_says_noindex(jeanne_browser, jeanne_resident):
    post = gazette_post_create(
        author=jeanne_resident,
        category=GazetteCategory.HELP,
        title="Qui a une échelle ?",
        body="Pour nettoyer la gouttière samedi.",
    )

    assert_noindex(jeanne_browser.get(post.url), post.url)


def test_the_moderation_queue_says_noindex(centre_bourg, marc_moderator, sign_in):
    client = sign_in(Client(headers={"host": CADAUJAC_HOST}), marc_moderator)

    assert_noindex(client.get("/moderation/inscriptions/"), "/moderation/inscriptions/")


def test_a_member_page_refused_to_a_visitor_still_says_noindex(cadaujac):
    response = Client(headers={"host": CADAUJAC_HOST}).get("/alertes/")

    assert response.status_code == 302
    assert response["X-Robots-Tag"] == "noindex"


@pytest.mark.parametrize("path", ["/", "/actualites/", "/agenda/"])
def test_public_commune_pages_stay_indexable(cadaujac, jeanne_browser, path):
    assert_indexable(Client(headers={"host": CADAUJAC_HOST}).get(path), path)
    # Signed in, the same public page is still indexable: the rule is about the page.
    assert_indexable(jeanne_browser.get(path), path)


def test_platform_home_stays_indexable(cadaujac):
    assert_indexable(Client().get("/"), "/")
