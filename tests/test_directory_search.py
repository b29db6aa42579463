"""Finding a neighbour: by name or by what they can do, never by what they chose to hide."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Profile, Visibility
from accounts.profiles import members_search, members_visible_to, search_pattern
from communities.models import Membership, MembershipStatus


@pytest.fixture(autouse=True)
def _files(private_storage):
    return private_storage


def _names(response):
    return [entry.member.last_name for entry in response.context["entries"]]


@pytest.mark.parametrize("query", ["échelle", "ECHELLE", "echelle", "Échelle", "prêter  une"])
def test_search_finds_interests_whatever_the_case_and_accents(
    client, sign_in, jeanne_resident, paul_neighbour, query
):
    sign_in(client, paul_neighbour)

    response = client.get("/annuaire/", {"q": query})

    assert _names(response) == ["Lafargue"]


@pytest.mark.parametrize("query", ["lafargue", "JEANNE", "darri", "rené", "Rene"])
def test_search_finds_first_and_last_names(
    client, sign_in, jeanne_resident, paul_neighbour, rene_referent, query
):
    sign_in(client, paul_neighbour)

    names = _names(client.get("/annuaire/", {"q": query}))

    expected = {
        "lafargue": ["Lafargue"],
        "JEANNE": ["Lafargue"],
        "darri": ["Darrigade"],
        "rené": ["Duprat"],
        "Rene": ["Duprat"],
    }
    assert names == expected[query]


def test_search_never_matches_a_field_hidden_from_the_viewer(
    client, sign_in, jeanne_resident, paul_neighbour, marc_moderator
):
    Profile.objects.filter(user=jeanne_resident).update(interests_visibility=Visibility.MAIRIE)

    sign_in(client, paul_neighbour)
    assert _names(client.get("/annuaire/", {"q": "échelle"})) == []

    sign_in(client, marc_moderator)
    assert _names(client.get("/annuaire/", {"q": "échelle"})) == ["Lafargue"]

    Profile.objects.filter(user=jeanne_resident).update(interests_visibility=Visibility.NOBODY)
    assert _names(client.get("/annuaire/", {"q": "échelle"})) == []


def test_search_does_not_look_into_phone_email_or_address(
    client, sign_in, jeanne_resident, marc_moderator
):
    sign_in(client, marc_moderator)

    for query in ("0611223344", "jeanne@cadaujac", "chemin des Vignes", "Infirmière"):
        assert _names(client.get("/annuaire/", {"q": query})) == [], query


def test_search_stays_within_the_viewers_community(
    client, sign_in, jeanne_resident, lucie_tuileries, dieter_didenheim
):
    Profile.objects.create(user=dieter_didenheim, interests="Échelle de 6 mètres")
    sign_in(client, lucie_tuileries)

    assert _names(client.get("/annuaire/", {"q": "échelle"})) == []


def test_search_pattern_treats_regex_characters_literally():
    assert search_pattern("a.b") == r"[aàâäAÀÂÄ]\.b"
    assert search_pattern("(x") == r"\(x"


def test_search_with_regex_characters_does_not_fail(client, sign_in, paul_neighbour):
    sign_in(client, paul_neighbour)

    response = client.get("/annuaire/", {"q": "[(*+?"})

    assert response.status_code == 200


def test_member_who_shows_interests_to_nobody_still_finds_themselves(jeanne_resident):
    Profile.objects.filter(user=jeanne_resident).update(interests_visibility=Visibility.NOBODY)
    members = members_visible_to(viewer=jeanne_resident)

    found = members_search(viewer=jeanne_resident, members=members, query="échelle")

    assert list(found) == [jeanne_resident]


@pytest.fixture
def crowd(centre_bourg, make_member):
    return [
        make_member(
            f"voisin{i:02d}@cadaujac.test",
            centre_bourg,
            first_name=f"Voisin{i:02d}",
            last_name=f"Habitant{i:02d}",
        )
        for i in range(25)
    ]


def test_directory_is_paginated_by_twenty(client, sign_in, crowd):
    sign_in(client, crowd[0])

    first = client.get("/annuaire/")
    second = client.get("/annuaire/", {"page": 2})

    assert len(first.context["entries"]) == 20
    assert len(second.context["entries"]) == 5
    assert 'rel="next"' in first.content.decode()
    assert "Page 2 sur 2" in second.content.decode()


def test_pagination_links_keep_the_search(client, sign_in, crowd):
    sign_in(client, crowd[0])

    html = client.get("/annuaire/", {"q": "habitant"}).content.decode()

    assert "?q=habitant&amp;page=2" in html


# The count, the page of members, their memberships and profiles, whom of them the reader may
# write to; who the reader is comes from the request's cached facts (communities.viewer).
DIRECTORY_MAX_QUERIES = 5


def _page_queries(captured) -> int:
    """Queries of the page itself: not the session's, read from the database where no
    Redis keeps sessions (SQLite runs)."""
    return sum('"django_session"' not in query["sql"] for query in captured.captured_queries)


def test_listing_costs_the_same_number_of_queries_for_5_or_20_members(client, sign_in, crowd):
    viewer = crowd[0]
    sign_in(client, viewer)
    client.get("/annuaire/")  # warm up sessions and site caches

    with CaptureQueriesContext(connection) as twenty:
        client.get("/annuaire/")
    Membership.objects.filter(user__in=crowd[5:]).update(status=MembershipStatus.LEFT)
    with CaptureQueriesContext(connection) as five:
        client.get("/annuaire/")

    assert _page_queries(twenty) == _page_queries(five) <= DIRECTORY_MAX_QUERIES


def test_staff_may_narrow_the_list_to_one_community(
    client, sign_in, jeanne_resident, lucie_tuileries, tuileries, marc_moderator
):
    sign_in(client, marc_moderator)

    assert _names(client.get("/annuaire/", {"communaute": tuileries.pk})) == ["Barbe"]


def test_a_community_of_another_commune_in_the_filter_is_ignored(
    client, sign_in, jeanne_resident, dieter_didenheim, village, marc_moderator
):
    sign_in(client, marc_moderator)

    names = _names(client.get("/annuaire/", {"communaute": village.pk}))

    assert "Schwartz" not in names
    assert "Lafargue" in names
