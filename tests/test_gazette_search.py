"""Search on a commune's site finds what the viewer may read, and nothing else.

Matrix: anonymous / pending / verified same community / verified other community / member
of another commune / staff of the commune / staff of another commune / outsider, for a
community post, a commune-wide post, a post aimed at another community, the commune's
public pages and the other commune's pages. Absence is asserted as strictly as presence,
result counts included.
"""

import re

import pytest
from django.db import connection
from django.test import Client
from wagtail.models import PageViewRestriction

from gazette.models import GazetteCategory, GazetteIndexPage, GazettePost
from mairie_pages.models import (
    AnnouncementIndexPage,
    AnnouncementPage,
    EventIndexPage,
    EventPage,
    StandardPage,
)
from search.highlight import highlighted_excerpt
from search.selectors import site_search

pytestmark = pytest.mark.django_db

HOST = "cadaujac.localhost"
ON_SQLITE = connection.vendor == "sqlite"


def _post(commune, slug, title, body, communities, author):
    index = GazetteIndexPage.objects.descendant_of(commune.site.root_page).get()
    page = GazettePost(
        title=title,
        slug=slug,
        category=GazetteCategory.LOST_FOUND,
        body=body,
        author=author,
        owner=author,
    )
    page.communities = communities
    index.add_child(instance=page)
    return page


@pytest.fixture
def content(cadaujac, didenheim, centre_bourg, tuileries, village, jeanne_resident):
    """Every item says "lanterne" so that one query reaches all of them."""
    home = cadaujac.site.root_page
    news = AnnouncementIndexPage.objects.child_of(home).get()
    agenda = EventIndexPage.objects.child_of(home).get()
    made = {
        "community": _post(
            cadaujac,
            "lanterne-perdue",
            "Lanterne perdue rue des Vignes",
            "Ma lanterne rouge a disparu du portail.",
            [centre_bourg],
            jeanne_resident,
        ),
        "commune": _post(
            cadaujac,
            "lanterne-trouvee",
            "Lanterne trouvée place de l'Église",
            "Une lanterne attend son propriétaire à la boulangerie.",
            [],
            jeanne_resident,
        ),
        "other_community": _post(
            cadaujac,
            "lanterne-pretee",
            "Prêt d'une lanterne aux Tuileries",
            "Je prête ma lanterne pour la fête des Tuileries.",
            [tuileries],
            jeanne_resident,
        ),
        "announcement": news.add_child(
            instance=AnnouncementPage(
                title="Fête de la lanterne",
                slug="fete-de-la-lanterne",
                summary="La mairie organise la fête de la lanterne samedi soir.",
            )
        ),
        "event": agenda.add_child(
            instance=EventPage(
                title="Atelier lanterne",
                slug="atelier-lanterne",
                start="2026-12-05T14:00:00+01:00",
                location="Salle des fêtes",
                summary="Fabriquez votre lanterne en papier.",
            )
        ),
        "standard": home.add_child(
            instance=StandardPage(
                title="Éclairage public",
                slug="eclairage",
                intro="Chaque lanterne de la commune est rallumée à 18 h.",
            )
        ),
    }
    didenheim_home = didenheim.site.root_page
    made["other_commune_page"] = (
        AnnouncementIndexPage.objects.child_of(didenheim_home)
        .get()
        .add_child(
            instance=AnnouncementPage(
                title="Lanterne de Didenheim",
                slug="lanternes",
                summary="Didenheim allume sa lanterne.",
            )
        )
    )
    made["other_commune_post"] = _post(
        didenheim,
        "lanterne-village",
        "Lanterne du Village",
        "Lanterne retrouvée au Village.",
        [],
        None,
    )
    return made


@pytest.fixture
def viewers(
    jeanne_resident,
    paul_neighbour,
    lucie_tuileries,
    dieter_didenheim,
    pierre_pending,
    marc_moderator,
    alice_editor,
    diane_moderator,
    charlie_outsider,
    platform_admin,
):
    return {
        "anonymous": None,
        "pending": pierre_pending,
        "same_community": paul_neighbour,
        "other_community": lucie_tuileries,
        "other_commune": dieter_didenheim,
        "staff": marc_moderator,
        "editor": alice_editor,
        "other_staff": diane_moderator,
        "outsider": charlie_outsider,
        "platform_team": platform_admin,
    }


PUBLIC = {"announcement", "event", "standard"}
EXPECTED = {
    "anonymous": PUBLIC,
    "pending": PUBLIC,
    "same_community": PUBLIC | {"community", "commune"},
    "other_community": PUBLIC | {"commune", "other_community"},
    "other_commune": PUBLIC,
    "staff": PUBLIC | {"community", "commune", "other_community"},
    "editor": PUBLIC | {"community", "commune", "other_community"},
    "other_staff": PUBLIC,
    "outsider": PUBLIC,
    "platform_team": PUBLIC | {"community", "commune", "other_community"},
}
NEVER = {"other_commune_page", "other_commune_post"}


def _client(user):
    client = Client(HTTP_HOST=HOST)
    if user is not None:
        client.force_login(user)
    return client


def _href(page) -> str:
    """The link to ``page`` as its own site's pages write it (a path)."""
    return f'href="{page.get_url_parts()[2]}"'


def _count(html: str) -> int:
    match = re.search(r'class="search-count"[^>]*>\s*(\d+) résultat', html)
    assert match, html
    return int(match.group(1))


@pytest.mark.parametrize("viewer", EXPECTED)
def test_search_lists_exactly_what_the_viewer_may_read_with_its_count(content, viewers, viewer):
    response = _client(viewers[viewer]).get("/recherche/", {"q": "lanterne"})

    assert response.status_code == 200
    html = response.content.decode()
    for name, page in content.items():
        listed = _href(page) in html
        assert listed == (name in EXPECTED[viewer]), (viewer, name)
    assert _count(html) == len(EXPECTED[viewer])
    assert html.count('<li class="card">') == len(EXPECTED[viewer])


@pytest.mark.parametrize("viewer", EXPECTED)
def test_the_search_selector_returns_the_same_set(content, viewers, viewer, cadaujac):
    from django.contrib.auth.models import AnonymousUser

    user = viewers[viewer] or AnonymousUser()
    found = {page.pk for page in site_search(viewer=user, commune=cadaujac, query="lanterne")}

    assert found == {content[name].pk for name in EXPECTED[viewer]}
    assert not found & {content[name].pk for name in NEVER}


@pytest.mark.parametrize("viewer", ["anonymous", "other_community", "other_commune", "other_staff"])
def test_a_query_matching_only_unreadable_posts_finds_nothing(content, viewers, viewer):
    # "portail" is in the Centre-bourg post only.
    response = _client(viewers[viewer]).get("/recherche/", {"q": "portail"})

    html = response.content.decode()
    assert "0 résultat" in html
    assert "<mark>" not in html
    assert "Lanterne perdue" not in html
    assert content["community"].get_url_parts()[2] not in html


def test_a_neighbour_finds_the_community_post_with_a_highlighted_excerpt(content, paul_neighbour):
    response = _client(paul_neighbour).get("/recherche/", {"q": "portail"})

    html = response.content.decode()
    assert _count(html) == 1
    assert "<mark>portail</mark>" in html
    assert _href(content["community"]) in html


def test_the_other_communes_search_never_lists_this_communes_pages(content, dieter_didenheim):
    client = Client(HTTP_HOST="didenheim.localhost")
    client.force_login(dieter_didenheim)

    html = client.get("/recherche/", {"q": "lanterne"}).content.decode()

    assert _count(html) == 2
    assert _href(content["other_commune_page"]) in html
    assert _href(content["other_commune_post"]) in html
    for name in EXPECTED["staff"]:
        assert content[name].title not in html


def test_hidden_expired_drafts_and_restricted_pages_are_never_found(content, marc_moderator):
    from datetime import timedelta

    from django.utils import timezone

    GazettePost.objects.filter(pk=content["community"].pk).update(hidden_at=timezone.now())
    GazettePost.objects.filter(pk=content["commune"].pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    content["other_community"].unpublish()
    PageViewRestriction.objects.create(
        page=content["standard"], restriction_type=PageViewRestriction.LOGIN
    )

    html = _client(marc_moderator).get("/recherche/", {"q": "lanterne"}).content.decode()

    assert _count(html) == 2
    for name in ("community", "commune", "other_community", "standard"):
        assert content[name].title not in html


def test_results_are_paginated_and_the_count_covers_every_page(cadaujac, paul_neighbour):
    news = AnnouncementIndexPage.objects.child_of(cadaujac.site.root_page).get()
    for number in range(13):
        news.add_child(
            instance=AnnouncementPage(
                title=f"Travaux de voirie n°{number}",
                slug=f"travaux-{number}",
                summary="Des travaux de voirie auront lieu.",
            )
        )
    client = _client(paul_neighbour)

    first = client.get("/recherche/", {"q": "voirie"}).content.decode()
    second = client.get("/recherche/", {"q": "voirie", "page": 2}).content.decode()

    assert _count(first) == _count(second) == 13
    assert first.count('<li class="card">') == 10
    assert second.count('<li class="card">') == 3
    assert 'href="?q=voirie&amp;page=2"' in first


def test_an_empty_or_oversized_query_is_harmless(content, paul_neighbour):
    client = _client(paul_neighbour)

    empty = client.get("/recherche/", {"q": "   "})
    long = client.get("/recherche/", {"q": "lanterne " * 50})

    assert empty.status_code == 200
    assert "résultat" not in empty.content.decode()
    assert long.status_code == 200


def test_the_platform_site_has_no_search(content):
    assert Client(HTTP_HOST="127.0.0.1").get("/recherche/", {"q": "lanterne"}).status_code == 404


def test_every_commune_page_has_one_labelled_search_box(content):
    html = Client(HTTP_HOST=HOST).get("/").content.decode()

    assert html.count('role="search"') == 1
    assert '<label for="site-search-q"' in html
    assert 'action="/recherche/"' in html


def test_excerpts_escape_the_text_before_marking_it():
    excerpt = highlighted_excerpt('<script>alert("chat")</script> Mon chat', "chat")

    assert "<script>" not in excerpt
    assert "&lt;script&gt;" in excerpt
    assert excerpt.count("<mark>chat</mark>") == 2


@pytest.mark.skipif(ON_SQLITE, reason="French stemming and accents need PostgreSQL's search")
def test_french_stemming_chat_finds_chats(cadaujac, centre_bourg, paul_neighbour):
    post = _post(
        cadaujac,
        "chatons",
        "Trois chats à adopter",
        "Nos chats cherchent une famille.",
        [centre_bourg],
        paul_neighbour,
    )

    html = _client(paul_neighbour).get("/recherche/", {"q": "chat"}).content.decode()

    assert _href(post) in html
    assert "<mark>chats</mark>" in html


@pytest.mark.skipif(ON_SQLITE, reason="French stemming and accents need PostgreSQL's search")
def test_accents_evenement_finds_evenement(cadaujac, paul_neighbour):
    news = AnnouncementIndexPage.objects.child_of(cadaujac.site.root_page).get()
    page = news.add_child(
        instance=AnnouncementPage(
            title="Un événement pour les aînés",
            slug="evenement-aines",
            summary="Goûter à la salle des fêtes.",
        )
    )

    html = _client(paul_neighbour).get("/recherche/", {"q": "evenement"}).content.decode()

    assert _href(page) in html
    assert "<mark>événement</mark>" in html


@pytest.mark.parametrize(
    "query", ['"lanterne', "lanterne*", "(", "- -", "NOT", "l'été & ; --", "🙂"]
)
def test_odd_characters_in_a_query_answer_normally(content, paul_neighbour, query):
    response = _client(paul_neighbour).get("/recherche/", {"q": query})

    assert response.status_code == 200
    assert "résultat" in response.content.decode()


def test_the_english_site_searches_too(content, paul_neighbour):
    response = _client(paul_neighbour).get("/en/recherche/", {"q": "lanterne"})

    assert response.status_code == 200
    assert 'action="/en/recherche/"' in response.content.decode()
