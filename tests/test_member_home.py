"""Where a member lands after signing in, and what their community's page shows.

A verified resident signing in on their commune's site lands on ``/mon-quartier/``: the
alerts running in their community, the latest of the gazette, their conversations. A
``?next=`` wins; a pending resident lands on the page saying their registration waits; the
mairie's staff and other communes' residents keep the site's usual landing.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.models import Alert, AlertCategory, AlertSource, ModerationStatus
from communities.models import StaffRole
from communities.services import staff_role_grant
from gazette.models import GazetteCategory, GazetteIndexPage, GazettePost
from messaging.services import conversation_start, message_send
from tests.conftest import CADAUJAC_HOST, DIDENHEIM_HOST, PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
HOME = "/mon-quartier/"


def _verified(user):
    user.email_verified_at = timezone.now()
    user.phone_verified_at = timezone.now() if user.phone else None
    user.save()
    return user


def _signs_in(email, *, host=CADAUJAC_HOST, query="") -> str:
    visitor = Client(headers={"host": host})
    response = visitor.post(LOGIN + query, {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    assert visitor.session.get("_auth_user_id")
    return response["Location"]


# --- Where sign-in lands ----------------------------------------------------------------------


def test_a_verified_resident_lands_on_their_community_page(jeanne_resident):
    _verified(jeanne_resident)
    assert _signs_in("jeanne@cadaujac.test") == HOME


def test_next_wins_over_the_community_page(jeanne_resident):
    _verified(jeanne_resident)
    assert _signs_in("jeanne@cadaujac.test", query="?next=/annuaire/") == "/annuaire/"


def test_a_pending_resident_lands_on_the_page_saying_it_waits(pierre_pending):
    _verified(pierre_pending)
    assert _signs_in("pierre@cadaujac.test") == "/accounts/en-attente/"


def test_the_mairie_staff_keep_their_landing(make_user, cadaujac):
    agent = _verified(make_user("agent@cadaujac.test"))
    staff_role_grant(user=agent, commune=cadaujac, role=StaffRole.EDITOR)
    assert _signs_in("agent@cadaujac.test") == "/"


def test_a_resident_of_another_commune_keeps_this_sites_landing(dieter_didenheim, cadaujac):
    _verified(dieter_didenheim)
    assert _signs_in("dieter@didenheim.test") == "/"
    assert _signs_in("dieter@didenheim.test", host=DIDENHEIM_HOST) == HOME


# --- The page ---------------------------------------------------------------------------------


def _alert(*, author, community, text, **fields):
    return Alert.objects.create(
        commune=community.commune,
        community=community,
        author=author,
        source=AlertSource.WEB,
        category=AlertCategory.SCOUTING,
        text=text,
        moderation_status=ModerationStatus.APPROVED,
        expires_at=timezone.now() + timedelta(hours=12),
        **fields,
    )


def _gazette_post(*, commune, author, title, communities):
    index = GazetteIndexPage.objects.descendant_of(commune.site.root_page).get()
    post = GazettePost(
        title=title,
        category=GazetteCategory.LOAN,
        body=f"{title}, à prêter.",
        author=author,
        owner=author,
    )
    post.communities = communities
    index.add_child(instance=post)
    return post


@pytest.fixture
def member_client(sign_in, jeanne_resident):
    client = Client(headers={"host": CADAUJAC_HOST})
    return sign_in(client, jeanne_resident)


def test_the_page_shows_running_alerts_the_gazette_and_unread_messages(
    member_client, jeanne_resident, paul_neighbour, lucie_tuileries, centre_bourg, tuileries
):
    _alert(author=paul_neighbour, community=centre_bourg, text="Démarcheur insistant rue Haute")
    _alert(
        author=paul_neighbour,
        community=centre_bourg,
        text="Portail ouvert au 3",
        closed_at=timezone.now(),
    )
    _alert(author=lucie_tuileries, community=tuileries, text="Voiture suspecte aux Tuileries")
    _gazette_post(
        commune=centre_bourg.commune,
        author=paul_neighbour,
        title="Tondeuse",
        communities=[centre_bourg],
    )
    _gazette_post(
        commune=centre_bourg.commune,
        author=lucie_tuileries,
        title="Escabeau des Tuileries",
        communities=[tuileries],
    )
    conversation = conversation_start(
        author=paul_neighbour, recipients=[jeanne_resident], text="Bonjour", subject="La haie"
    )
    message_send(conversation=conversation, author=paul_neighbour, text="Et la haie ?")

    response = member_client.get(HOME)

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Centre-bourg" in page
    assert "Démarcheur insistant rue Haute" in page
    # Ended alerts and other communities' posts are not this member's to see here.
    assert "Portail ouvert au 3" not in page
    assert "Voiture suspecte aux Tuileries" not in page
    assert "Tondeuse" in page
    assert "Escabeau des Tuileries" not in page
    assert "La haie" in page
    assert "2 non lus" in page
    assert f'href="{HOME}" aria-current="page"' in page


def test_a_calm_community_is_told_so(member_client):
    page = member_client.get(HOME).content.decode()
    assert "Aucune alerte en cours. Tout est calme." in page
    assert "Aucune conversation pour l'instant." in page


def test_the_page_costs_the_same_queries_with_one_or_many_items(
    member_client, jeanne_resident, paul_neighbour, rene_referent, centre_bourg
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert member_client.get(HOME).status_code == 200
        return len(captured)

    def add_one(n):
        _alert(author=paul_neighbour, community=centre_bourg, text=f"Alerte {n}")
        _gazette_post(
            commune=centre_bourg.commune,
            author=paul_neighbour,
            title=f"Objet {n}",
            communities=[centre_bourg],
        )
        conversation_start(
            author=paul_neighbour if n % 2 else rene_referent,
            recipients=[jeanne_resident],
            text=f"Message {n}",
            subject=f"Sujet {n}",
        )

    add_one(0)
    queries()  # the first request fills per-process caches (sites, content types)
    one = queries()
    for n in range(1, 8):
        add_one(n)
    queries()  # the new messages made the cached unread count stale: counted once again
    many = queries()

    assert many == one
    assert one <= 30


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("pierre_pending", "/accounts/en-attente/"),
        ("marc_moderator", "/"),
        ("dieter_didenheim", "/"),
        ("charlie_outsider", "/"),
    ],
)
def test_whoever_has_no_community_here_is_sent_where_they_belong(
    request, sign_in, cadaujac, who, expected
):
    user = request.getfixturevalue(who)
    client = sign_in(Client(headers={"host": CADAUJAC_HOST}), user)
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == expected


def test_anonymous_visitors_are_sent_to_sign_in(cadaujac):
    response = Client(headers={"host": CADAUJAC_HOST}).get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
