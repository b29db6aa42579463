"""The members' pages keep parts of themselves in the cache (the alert's article, a page of
alert cards, the layout's header and footer, who the member is): a cached part is never
shown to someone who may not see it or would see it otherwise (another community, another
commune, another role, another language), and a change shows on the next page at once."""

import re

import pytest

from alerts.models import AlertCategory
from alerts.moderation import alert_retract
from alerts.services import alert_close, alert_follow_up, alert_post
from communities.memberships import membership_approve
from communities.models import Membership, MembershipStatus, StaffRole
from communities.services import staff_role_grant

pytestmark = pytest.mark.django_db

TEXT = "Deux hommes essaient les poignées des portières rue des Écoles, ce soir vers 21 h."
PLATE = "GH-456-IJ"


@pytest.fixture
def alert(jeanne_resident):
    return alert_post(
        author=jeanne_resident,
        category=AlertCategory.SCOUTING,
        text=TEXT,
        identifying_details=PLATE,
    )


def _page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def _article(html):
    return html.split('<article class="alert-detail"', 1)[1].split("</article>", 1)[0]


def test_a_cached_alert_is_never_served_to_another_community_or_commune(
    member_client, alert, paul_neighbour, lucie_tuileries, dieter_didenheim
):
    url = f"/alertes/{alert.pk}/"
    assert TEXT in _page(member_client(paul_neighbour), url)  # now in the cache
    assert TEXT in _page(member_client(paul_neighbour), url)

    assert TEXT not in _page(member_client(lucie_tuileries), url, status=404)
    dieter = member_client(dieter_didenheim)
    assert TEXT not in _page(dieter, url, status=404)
    assert TEXT not in _page(dieter, "/alertes/")


def test_the_mairie_reads_the_details_a_neighbour_never_gets_from_the_cache(
    member_client, alert, paul_neighbour, marc_moderator, cadaujac
):
    url = f"/alertes/{alert.pk}/"
    neighbour_first = _article(_page(member_client(paul_neighbour), url))
    moderator = _article(_page(member_client(marc_moderator), url))
    neighbour_again = _article(_page(member_client(paul_neighbour), url))

    assert PLATE in moderator
    assert "Historique" in moderator
    assert PLATE not in neighbour_first
    assert PLATE not in neighbour_again
    assert "Suivis" in neighbour_again


def test_a_police_officer_and_a_neighbour_each_get_their_own_page_of_cards(
    member_client, alert, paul_neighbour, make_user, cadaujac
):
    officer = make_user("agent@cadaujac.test", first_name="Agent", last_name="Municipal")
    staff_role_grant(user=officer, commune=cadaujac, role=StaffRole.POLICE)
    neighbour = _page(member_client(paul_neighbour), "/alertes/")
    police = _page(member_client(officer), "/alertes/")

    assert "Fil de la police municipale" in police
    assert "Fil de la police municipale" not in neighbour
    assert "Fil de la police municipale" not in _page(member_client(paul_neighbour), "/alertes/")


def test_a_member_reading_in_english_never_gets_the_french_copy(
    member_client, alert, paul_neighbour, lucie_tuileries, make_member, centre_bourg
):
    url = f"/alertes/{alert.pk}/"
    english = make_member("emma@cadaujac.test", centre_bourg, first_name="Emma", last_name="Stone")
    english.language = "en"
    english.save(update_fields=["language"])
    french = _article(_page(member_client(paul_neighbour), url))
    in_english = _article(_page(member_client(english), url))

    assert ">Communauté<" in french
    assert ">Community<" in in_english
    assert ">Communauté<" not in in_english


def test_a_follow_up_an_end_and_a_correction_show_at_once(
    member_client, alert, jeanne_resident, paul_neighbour, marc_moderator
):
    url = f"/alertes/{alert.pk}/"
    paul = member_client(paul_neighbour)
    assert "Pas encore de suivi." in _page(paul, url)

    alert_follow_up(alert=alert, by=jeanne_resident, text="Ils sont partis vers la gare.")
    assert "Ils sont partis vers la gare." in _page(paul, url)

    alert_close(alert=alert, by=jeanne_resident, text="La gendarmerie les a interpellés.")
    page = _page(paul, url)
    assert "La gendarmerie les a interpellés." in page
    assert "badge--closed" in page
    assert "badge--running" not in page
    ended = _page(paul, "/alertes/terminees/")
    assert f"/alertes/{alert.pk}/" in ended
    assert f"/alertes/{alert.pk}/" not in _page(paul, "/alertes/")

    jeanne = member_client(jeanne_resident)
    assert "badge--closed" in _page(jeanne, url)
    alert_retract(alert=alert, by=marc_moderator, reason="Il s'agissait de livreurs.")
    # Withdrawn with a correction: gone for the neighbours, marked so for its author.
    assert TEXT not in _page(paul, url, status=404)
    assert f"/alertes/{alert.pk}/" not in _page(paul, "/alertes/terminees/")
    assert "badge--withdrawn" in _page(jeanne, url)


def test_a_new_alert_shows_in_the_list_at_once(
    member_client, alert, jeanne_resident, paul_neighbour
):
    paul = member_client(paul_neighbour)
    assert f"/alertes/{alert.pk}/" in _page(paul, "/alertes/")
    second = alert_post(
        author=jeanne_resident, category=AlertCategory.SCOUTING, text=f"{TEXT} Encore eux."
    )
    assert f"/alertes/{second.pk}/" in _page(paul, "/alertes/")


def test_the_sign_out_token_and_the_moderators_link_are_never_shared(
    member_client, paul_neighbour, rene_referent
):
    referent = _page(member_client(rene_referent), "/alertes/")
    neighbour = _page(member_client(paul_neighbour), "/alertes/")
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

    assert "Inscriptions à valider" in referent
    assert "Inscriptions à valider" not in neighbour
    assert token.search(referent).group(1) != token.search(neighbour).group(1)


def test_a_member_verified_by_the_mairie_sees_their_pages_at_once(
    member_client, pierre_pending, marc_moderator, cadaujac
):
    pierre = member_client(pierre_pending)
    assert "Mon quartier" not in _page(pierre, "/alertes/")
    membership = Membership.objects.get(user=pierre_pending)
    membership_approve(membership=membership, by=marc_moderator)

    assert Membership.objects.get(user=pierre_pending).status == MembershipStatus.VERIFIED
    assert "Mon quartier" in _page(pierre, "/alertes/")


def test_a_member_who_becomes_police_sees_the_feed_link_at_once(
    member_client, paul_neighbour, cadaujac
):
    paul = member_client(paul_neighbour)
    assert "Fil de la police municipale" not in _page(paul, "/alertes/")
    staff_role_grant(user=paul_neighbour, commune=cadaujac, role=StaffRole.POLICE)
    assert "Fil de la police municipale" in _page(paul, "/alertes/")


def test_a_renamed_commune_shows_in_the_header_and_footer_at_once(
    member_client, paul_neighbour, cadaujac
):
    paul = member_client(paul_neighbour)
    assert "Cadaujac" in _page(paul, "/alertes/")
    cadaujac.name = "Cadaujac-sur-Garonne"
    cadaujac.phone = "05 56 00 00 01"
    cadaujac.save()

    page = _page(paul, "/alertes/")
    assert '<span class="brand__name">Cadaujac-sur-Garonne</span>' in page
    assert "05 56 00 00 01" in page
