"""An alert's page and lists are served whole from the copy a community's members share
(``communities.member_pages``): that copy never reaches anyone who may not see it or would
see it otherwise, and what is the reader's own (their form token, their unread count,
whether they reported the alert) is theirs on every page."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.middleware.csrf import _does_token_match
from django.test import Client
from django.test.utils import CaptureQueriesContext

from alerts.models import AlertCategory
from alerts.services import alert_post, alert_report
from communities.models import ModerationPolicy
from gazette.models import GazetteCategory
from gazette.services.moderation import gazette_content_hide
from gazette.services.posts import gazette_post_create
from messaging.services import conversation_start, message_send
from tests.conftest import CADAUJAC_HOST, DIDENHEIM_HOST

pytestmark = pytest.mark.django_db

TEXT = "Deux hommes essaient les poignées des portières rue des Écoles, ce soir vers 21 h."
PLATE = "GH-456-IJ"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# What a shared page still asks the database for its reader (tests/test_member_page_queries.py).
SHARED_PAGE_MAX_QUERIES = 1
# The gazette is a Wagtail page: its routing still reads the page tree (seven queries).
GAZETTE_SHARED_MAX_QUERIES = 7


@pytest.fixture
def alert(jeanne_resident):
    return alert_post(
        author=jeanne_resident,
        category=AlertCategory.SCOUTING,
        text=TEXT,
        identifying_details=PLATE,
    )


@pytest.fixture
def hugo_neighbour(make_member, centre_bourg):
    """Hugo, another verified neighbour of Jeanne and Paul in Centre-bourg."""
    return make_member("hugo@cadaujac.test", centre_bourg, first_name="Hugo", last_name="Lalanne")


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries.captured_queries)


def _html(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def test_the_alert_page_matrix_once_a_neighbour_filled_the_shared_copy(
    member_client,
    alert,
    paul_neighbour,
    hugo_neighbour,
    lucie_tuileries,
    dieter_didenheim,
    pierre_pending,
    marc_moderator,
):
    url = f"/alertes/{alert.pk}/"
    assert TEXT in _html(member_client(paul_neighbour), url)  # the community's shared copy

    hugo = member_client(hugo_neighbour)
    hugo.get(url)  # his session's first page
    response, queries = _get(hugo, url)
    assert TEXT in response.content.decode()
    assert PLATE not in response.content.decode()
    assert queries <= SHARED_PAGE_MAX_QUERIES

    # Another community of the commune, another commune, a pending registration: 404.
    for outsider in (lucie_tuileries, dieter_didenheim, pierre_pending):
        assert TEXT not in _html(member_client(outsider), url, status=404)
    # Nobody signed in: the sign-in page.
    anonymous = Client(HTTP_HOST=CADAUJAC_HOST).get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(settings.LOGIN_URL)
    # The mairie's moderator reads the identifying details, never the neighbours' copy.
    assert PLATE in _html(member_client(marc_moderator), url)
    assert PLATE not in _html(member_client(hugo_neighbour), url)


def test_the_lists_of_another_community_or_commune_never_show_the_shared_copy(
    member_client, alert, paul_neighbour, lucie_tuileries, dieter_didenheim
):
    link = f"/alertes/{alert.pk}/"
    assert link in _html(member_client(paul_neighbour), "/alertes/")

    assert link not in _html(member_client(lucie_tuileries), "/alertes/")
    assert link not in _html(member_client(dieter_didenheim), "/alertes/")


def test_the_author_never_gets_the_neighbours_copy(
    member_client, alert, jeanne_resident, paul_neighbour
):
    url = f"/alertes/{alert.pk}/"
    neighbour = _html(member_client(paul_neighbour), url)
    author = _html(member_client(jeanne_resident), url)

    assert "Clore l'alerte et prévenir" in author
    assert "Clore l'alerte et prévenir" not in neighbour
    assert "Signaler cette alerte" in neighbour
    assert "Signaler cette alerte" not in author


def test_an_alert_held_for_moderation_stays_its_authors_own_in_the_list(
    member_client, jeanne_resident, paul_neighbour, cadaujac
):
    cadaujac.moderation_policy = ModerationPolicy.PRE
    cadaujac.save()
    held = alert_post(author=jeanne_resident, category=AlertCategory.SCOUTING, text=TEXT)
    link = f"/alertes/{held.pk}/"

    assert link in _html(member_client(jeanne_resident), "/alertes/")
    assert link not in _html(member_client(paul_neighbour), "/alertes/")
    assert link in _html(member_client(jeanne_resident), "/alertes/")


def test_each_reader_of_the_shared_copy_posts_with_their_own_token(
    member_client, alert, paul_neighbour, hugo_neighbour
):
    url = f"/alertes/{alert.pk}/"
    paul_page = _html(member_client(paul_neighbour), url)
    hugo = member_client(hugo_neighbour, enforce_csrf_checks=True)
    hugo_page = _html(hugo, url)
    tokens = set(TOKEN.findall(hugo_page))

    assert tokens
    assert not tokens & set(TOKEN.findall(paul_page))
    secret = hugo.cookies[settings.CSRF_COOKIE_NAME].value
    assert all(_does_token_match(token, secret) for token in tokens)
    response = hugo.post(
        f"/alertes/{alert.pk}/signaler/",
        {"csrfmiddlewaretoken": tokens.pop(), "signalement-reason": "Ce n'est pas une alerte."},
    )
    assert response.status_code != 403


def test_each_reader_sees_their_own_unread_count_and_whether_they_reported(
    member_client, alert, paul_neighbour, hugo_neighbour
):
    conversation_start(
        author=hugo_neighbour, recipients=[paul_neighbour], text="Bonsoir, vous avez vu ?"
    )
    alert_report(alert=alert, by=hugo_neighbour, reason="Ce n'est pas une alerte.")
    url = f"/alertes/{alert.pk}/"
    unread = re.compile(r"Messages <strong>\(1<span")

    paul = _html(member_client(paul_neighbour), url)
    hugo = _html(member_client(hugo_neighbour), url)
    paul_again = _html(member_client(paul_neighbour), url)

    assert unread.search(paul)
    assert unread.search(paul_again)
    assert not unread.search(hugo)
    assert "Signaler cette alerte" in paul_again
    assert "Signaler cette alerte" not in hugo
    assert "Vous avez signalé cette alerte" in hugo


def _post(author, title):
    return gazette_post_create(
        author=author,
        category=GazetteCategory.LOAN,
        title=title,
        body="Une échelle de 3 mètres, à venir chercher rue des Vignes.",
    )


def test_the_gazette_of_a_community_is_never_shared_with_another_one(
    member_client,
    jeanne_resident,
    paul_neighbour,
    hugo_neighbour,
    lucie_tuileries,
    dieter_didenheim,
):
    _post(jeanne_resident, "Échelle à prêter")
    assert "Échelle à prêter" in _html(member_client(paul_neighbour), "/gazette/")

    hugo = member_client(hugo_neighbour)
    hugo.get("/gazette/")
    response, queries = _get(hugo, "/gazette/")
    assert "Échelle à prêter" in response.content.decode()
    # Wagtail's routing to the page (the reader's unread count is kept in the cache).
    assert queries <= GAZETTE_SHARED_MAX_QUERIES

    assert "Échelle à prêter" not in _html(member_client(lucie_tuileries), "/gazette/")
    dieter = member_client(dieter_didenheim)
    assert "Échelle à prêter" not in dieter.get("/gazette/").content.decode()
    at_home = dieter.get("/gazette/", HTTP_HOST=DIDENHEIM_HOST)
    assert "Échelle à prêter" not in at_home.content.decode()


def test_a_new_post_and_a_hidden_one_show_in_the_shared_gazette_at_once(
    member_client, jeanne_resident, paul_neighbour, marc_moderator
):
    first = _post(jeanne_resident, "Échelle à prêter")
    paul = member_client(paul_neighbour)
    assert "Échelle à prêter" in _html(paul, "/gazette/")

    _post(jeanne_resident, "Tondeuse à prêter")
    assert "Tondeuse à prêter" in _html(paul, "/gazette/")

    gazette_content_hide(content=first, by=marc_moderator)
    page = _html(paul, "/gazette/")
    assert "Échelle à prêter" not in page
    assert "Tondeuse à prêter" in page


def test_the_unread_count_follows_a_message_written_and_read_at_once(
    member_client, paul_neighbour, hugo_neighbour
):
    unread = re.compile(r"Messages <strong>\((\d+)<span")
    paul = member_client(paul_neighbour)
    assert not unread.search(_html(paul, "/alertes/"))

    conversation = conversation_start(
        author=hugo_neighbour, recipients=[paul_neighbour], text="Bonsoir, vous avez vu ?"
    )
    assert unread.search(_html(paul, "/alertes/")).group(1) == "1"

    _html(paul, f"/messages/{conversation.pk}/")
    assert not unread.search(_html(paul, "/alertes/"))

    message_send(conversation=conversation, author=hugo_neighbour, text="La voiture est partie.")
    assert unread.search(_html(paul, "/alertes/")).group(1) == "1"
