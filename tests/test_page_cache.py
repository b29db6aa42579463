"""Anonymous visitors get cached pages; members and fresh edits never see stale ones."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mairie_pages.models import AnnouncementPage

pytestmark = pytest.mark.django_db

HOST = {"host": "cadaujac.localhost"}


def queries_for(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers=HOST)
    assert response.status_code == 200
    return response, len(queries)


def test_second_anonymous_visit_is_served_without_touching_the_database(client, demo):
    _first, first_queries = queries_for(client, "/")
    _second, second_queries = queries_for(client, "/")

    assert first_queries > 0
    assert second_queries == 0


def test_publishing_a_change_shows_at_once_to_anonymous_visitors(client, demo):
    client.get("/actualites/", headers=HOST)
    announcement = AnnouncementPage.objects.get(
        slug="collecte-encombrants",
        locale__language_code="fr",
        url_path__startswith="/cadaujac/",
    )
    announcement.title = "Collecte des encombrants reportée"
    announcement.save_revision().publish()

    html = client.get("/actualites/", headers=HOST).content.decode()

    assert "Collecte des encombrants reportée" in html


def test_signed_in_members_bypass_the_cache(client, demo, django_user_model):
    queries_for(client, "/")  # warm the cache anonymously
    client.force_login(django_user_model.objects.get(email="jean-yves@cadaujac.demo.invalid"))

    response, queries = queries_for(client, "/")

    assert queries > 0
    assert "Se déconnecter" in response.content.decode()


def test_each_host_has_its_own_cached_pages(client, demo):
    client.get("/", headers=HOST)

    html = client.get("/", headers={"host": "didenheim.localhost"}).content.decode()

    assert "Bienvenue à Didenheim" in html


@pytest.mark.parametrize(
    ("path", "max_queries"),
    [
        ("/", 30),
        ("/actualites/", 30),
        ("/agenda/", 30),
        ("/actualites/travaux-route-de-bordeaux/", 30),
    ],
)
def test_hot_pages_render_in_a_bounded_number_of_queries(client, demo, settings, path, max_queries):
    settings.PAGE_CACHE_SECONDS = 0  # measure the rendering itself
    _response, queries = queries_for(client, path)

    assert queries <= max_queries


def test_announcement_listing_queries_do_not_grow_with_the_number_of_announcements(
    client, demo, settings
):
    settings.PAGE_CACHE_SECONDS = 0
    queries_for(client, "/actualites/")  # warm Wagtail's per-process caches (locales, types)
    _response, before = queries_for(client, "/actualites/")
    index = AnnouncementPage.objects.get(
        slug="collecte-encombrants", url_path__startswith="/cadaujac/"
    ).get_parent()
    for number in range(8):
        index.add_child(
            instance=AnnouncementPage(
                title=f"Annonce {number}", slug=f"annonce-{number}", summary="Résumé"
            )
        )

    response, after = queries_for(client, "/actualites/")

    assert "Annonce 7" in response.content.decode()
    assert after == before
