"""The police municipale on an alert: it posts a follow-up that neighbours read signed
"Police municipale" (but does not end the alert), and it may see the author's phone to call
the witness back — with two-factor authentication, each time written in the history."""

import pytest

from alerts.models import AlertCategory, AlertEvent, AlertMessage
from alerts.services import alert_post
from communities.models import StaffRole
from communities.services import staff_role_grant
from tests.conftest import CADAUJAC_HOST

TEXT = "Deux personnes regardent dans les jardins rue des Vignes, voiture grise."


@pytest.fixture
def police(make_user, cadaujac):
    user = make_user("police@cadaujac.test", first_name="Agent", last_name="Municipal")
    staff_role_grant(user=user, commune=cadaujac, role=StaffRole.POLICE)
    return user


@pytest.fixture
def alert(jeanne_resident):
    return alert_post(author=jeanne_resident, category=AlertCategory.SCOUTING, text=TEXT)


def _as(client, sign_in, user):
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    sign_in(client, user)
    return client


def test_the_police_posts_a_follow_up_that_neighbours_read_signed_police(
    client, sign_in, alert, police, paul_neighbour
):
    agent = _as(client, sign_in, police)
    page = agent.get(f"/alertes/{alert.pk}/").content.decode()
    assert "Publier un suivi" in page
    assert "Clore l'alerte" not in page  # ending it is the author's and the mairie's

    response = agent.post(f"/alertes/{alert.pk}/suivi/", {"suivi-text": "Patrouille sur place."})

    assert response.status_code == 302
    update = AlertMessage.objects.get(alert=alert, kind=AlertMessage.Kind.UPDATE)
    assert "Suivi de la police municipale : Patrouille sur place." in update.text
    event = AlertEvent.objects.get(alert=alert, action=AlertEvent.Action.POLICE_UPDATED)
    assert event.actor == police

    client.logout()
    neighbour = _as(client, sign_in, paul_neighbour).get(f"/alertes/{alert.pk}/")
    html = neighbour.content.decode()
    assert "Suivi de la police municipale" in html
    assert "Patrouille sur place." in html
    assert "Police municipale" in html
    assert "Agent Municipal" not in html  # neighbours never read the officer's name


def test_the_police_cannot_end_an_alert(client, sign_in, alert, police):
    agent = _as(client, sign_in, police)

    agent.post(f"/alertes/{alert.pk}/fin/", {"fin-text": "Terminé."})

    alert.refresh_from_db()
    assert alert.closed_at is None
    assert not AlertMessage.objects.filter(alert=alert, kind=AlertMessage.Kind.CLOSING).exists()


def test_the_police_sees_the_authors_phone_on_request_and_it_is_recorded(
    client, sign_in, alert, police
):
    agent = _as(client, sign_in, police)
    page = agent.get(f"/alertes/{alert.pk}/").content.decode()
    assert "Afficher le téléphone de l'auteur" in page
    assert "06 11 22 33 44" not in page  # not before asking

    shown = agent.post(f"/alertes/{alert.pk}/telephone/")

    assert shown.status_code == 200
    html = shown.content.decode()
    assert 'href="tel:+33611223344"' in html
    assert "06 11 22 33 44" in html
    assert "Téléphone de l&#x27;auteur consulté" in html  # the history names it
    event = AlertEvent.objects.get(alert=alert, action=AlertEvent.Action.CONTACT_SHOWN)
    assert event.actor == police


@pytest.mark.parametrize("persona", ["paul_neighbour", "jeanne_resident", "dieter_didenheim"])
def test_nobody_else_may_see_the_phone_and_nothing_is_recorded(
    request, client, sign_in, alert, persona
):
    user = request.getfixturevalue(persona)
    visitor = _as(client, sign_in, user)

    assert "Afficher le téléphone" not in visitor.get(f"/alertes/{alert.pk}/").content.decode()
    assert visitor.post(f"/alertes/{alert.pk}/telephone/").status_code == 404
    assert not AlertEvent.objects.filter(action=AlertEvent.Action.CONTACT_SHOWN).exists()


def test_police_without_two_factor_authentication_does_not_see_the_phone(client, alert, police):
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    client.force_login(police)

    assert client.post(f"/alertes/{alert.pk}/telephone/").status_code in (302, 404)
    assert not AlertEvent.objects.filter(action=AlertEvent.Action.CONTACT_SHOWN).exists()
