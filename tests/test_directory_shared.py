"""The directory a community's residents share (``directory.shared_pages``): one copy of a
page for every resident of the community, never reaching another community, another
commune or the mairie's staff, with each reader's own "Écrire" links and own card decided
on every answer, and every written profile, account or membership showing at once."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Visibility
from accounts.profiles import profile_update
from communities.memberships import membership_leave
from messaging.services import member_block

pytestmark = pytest.mark.django_db

OWN_CARD = "Votre fiche, telle que vos voisins la voient."
# Served from the shared copy: whom of the page the reader may write to.
SHARED_DIRECTORY_MAX_QUERIES = 1


def _get(client, url="/annuaire/"):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    queries = sum('"django_session"' not in q["sql"] for q in captured.captured_queries)
    return response.content.decode(), queries


def _write_link(member) -> str:
    return f"/messages/nouvelle/?a={member.pk}"


def _card_of(html: str, member) -> str:
    """The HTML of ``member``'s card in the list."""
    match = re.search(
        rf'<li class="card member-card">(?:(?!</li>).)*?/annuaire/{member.pk}/".*?</li>',
        html,
        re.DOTALL,
    )
    assert match, f"no card of {member}"
    return match.group(0)


def test_neighbours_share_one_page_with_their_own_links_and_their_own_card(
    member_client, jeanne_resident, paul_neighbour, rene_referent
):
    jeanne_page, _queries = _get(member_client(jeanne_resident))  # rendered and kept
    paul = member_client(paul_neighbour)
    paul_page, queries = _get(paul)
    _get(paul)
    paul_again, queries = _get(paul)

    assert queries <= SHARED_DIRECTORY_MAX_QUERIES
    assert _write_link(paul_neighbour) in jeanne_page
    assert _write_link(jeanne_resident) not in jeanne_page
    assert OWN_CARD in _card_of(jeanne_page, jeanne_resident)
    for page in (paul_page, paul_again):
        assert _write_link(jeanne_resident) in page
        assert _write_link(paul_neighbour) not in page
        assert page.count(OWN_CARD) == 1
        assert OWN_CARD in _card_of(page, paul_neighbour)
        assert OWN_CARD not in _card_of(page, jeanne_resident)


def test_a_field_shown_to_the_mairie_only_never_reaches_a_neighbour_whoever_read_first(
    member_client, jeanne_resident, paul_neighbour, marc_moderator
):
    profile_update(
        user=jeanne_resident, interests="Apiculture", interests_visibility=Visibility.MAIRIE
    )
    staff_page, _queries = _get(member_client(marc_moderator))
    own_page, _queries = _get(member_client(jeanne_resident))
    neighbour_page, _queries = _get(member_client(paul_neighbour))

    assert "Apiculture" in staff_page
    # Her own card in the list is what her neighbours see (her profile page shows all).
    assert "Apiculture" not in own_page
    assert "Apiculture" not in neighbour_page


def test_a_profile_saved_shows_to_neighbours_at_once(
    member_client, jeanne_resident, paul_neighbour
):
    paul = member_client(paul_neighbour)
    assert "Apiculture" not in _get(paul)[0]

    profile_update(
        user=jeanne_resident, interests="Apiculture", interests_visibility=Visibility.NEIGHBOURS
    )
    assert "Apiculture" in _get(paul)[0]

    profile_update(user=jeanne_resident, interests_visibility=Visibility.NOBODY)
    assert "Apiculture" not in _get(paul)[0]


def test_a_renamed_neighbour_and_one_who_leaves_show_at_once(
    member_client, jeanne_resident, paul_neighbour
):
    paul = member_client(paul_neighbour)
    assert "Lafargue" in _get(paul)[0]

    jeanne_resident.last_name = "Lafargue-Duprat"
    jeanne_resident.save()
    assert "Lafargue-Duprat" in _get(paul)[0]

    membership_leave(membership=jeanne_resident.memberships.get())
    assert "Lafargue" not in _get(paul)[0]


def test_a_block_removes_the_write_link_from_the_shared_page_for_both(
    member_client, jeanne_resident, paul_neighbour
):
    jeanne, paul = member_client(jeanne_resident), member_client(paul_neighbour)
    assert _write_link(paul_neighbour) in _get(jeanne)[0]

    member_block(blocker=paul_neighbour, blocked=jeanne_resident)

    assert _write_link(jeanne_resident) not in _get(paul)[0]
    assert _write_link(paul_neighbour) not in _get(jeanne)[0]
    assert "Darrigade" in _get(jeanne)[0]  # still her neighbour in the directory


@pytest.mark.parametrize("outsider", ["lucie_tuileries", "dieter_didenheim"])
def test_another_community_or_commune_never_gets_the_copy(
    request, member_client, jeanne_resident, paul_neighbour, outsider
):
    _get(member_client(paul_neighbour))  # Centre-bourg's copy is kept
    html, _queries = _get(member_client(request.getfixturevalue(outsider)))

    assert "Lafargue" not in html
    assert "Darrigade" not in html
