"""An app reports an alert to the mairie's moderators and follows its sending, through the
same services and with the same figures as the alert's page: the author and neighbours read
who received it, the mairie and the police each channel."""

import html
import json

import pytest
from django.test import Client

from alerts.models import AlertCategory
from alerts.progress import alert_progress
from alerts.services import alert_post
from communities.models import StaffRole
from communities.services import staff_role_grant
from moderation.models import Report
from tests.api_tokens import app_token
from tests.conftest import CADAUJAC_HOST

pytestmark = pytest.mark.django_db

TEXT = "Deux personnes relèvent les numéros des boîtes aux lettres rue du Port depuis 10 h."


@pytest.fixture
def alert(jeanne_resident, paul_neighbour, fake_twilio, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return alert_post(author=jeanne_resident, category=AlertCategory.SCOUTING, text=TEXT)


@pytest.fixture
def foreign(dieter_didenheim, fake_twilio, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return alert_post(
            author=dieter_didenheim,
            category=AlertCategory.CANVASSER,
            text="Démarcheur insistant rue de Mulhouse.",
        )


def _app(sign_in, user) -> Client:
    client = Client(HTTP_HOST=CADAUJAC_HOST)
    client.defaults["HTTP_X_SESSION_TOKEN"] = app_token(client, sign_in, user)
    return client


def _report(client, alert_id, reason):
    return client.post(
        f"/api/v1/alerts/{alert_id}/report", json.dumps({"reason": reason}), "application/json"
    )


def test_a_neighbours_report_reaches_the_moderation_queue_once(
    client, sign_in, alert, foreign, paul_neighbour, jeanne_resident, marc_moderator
):
    paul = _app(sign_in, paul_neighbour)

    empty = _report(paul, alert.pk, "  ")
    hidden = _report(paul, foreign.pk, "Arnaque.")
    response = _report(paul, alert.pk, "Ce sont les releveurs de compteurs, pas des voleurs.")
    again = _report(paul, alert.pk, "Encore.")
    own = _report(_app(sign_in, jeanne_resident), alert.pk, "Je me suis trompée.")

    assert empty.status_code == 422
    assert empty.json()["errors"] == [
        {"field": "reason", "detail": "Dites en quelques mots ce qui pose problème."}
    ]
    assert hidden.status_code == 404
    assert response.status_code == 201
    assert again.status_code == own.status_code == 422
    assert "votre propre contenu" in own.json()["detail"]
    assert Report.objects.get().reporter == paul_neighbour
    detail = paul.get(f"/api/v1/alerts/{alert.pk}").json()
    assert detail["actions"]["report"] is False
    sign_in(client, marc_moderator)
    assert TEXT in html.unescape(client.get("/admin/signalements/").content.decode())


def test_the_author_and_neighbours_read_who_received_it_as_on_the_page(
    sign_in, alert, jeanne_resident, paul_neighbour
):
    for user in (jeanne_resident, paul_neighbour):
        app = _app(sign_in, user)
        answer = app.get(f"/api/v1/alerts/{alert.pk}/delivery").json()

        assert answer["progress"] is None
        reach = answer["reach"]
        assert reach["recipients"] >= 1
        assert reach["summary"].startswith("Envoyée à")
        page = Client(HTTP_HOST=CADAUJAC_HOST)
        page.force_login(user)
        shown = html.unescape(page.get(f"/alertes/{alert.pk}/").content.decode())
        assert reach["summary"] in shown


def test_the_mairie_and_the_police_follow_each_channel(sign_in, alert, marc_moderator, cadaujac):
    staff_role_grant(user=marc_moderator, commune=cadaujac, role=StaffRole.POLICE)
    answer = _app(sign_in, marc_moderator).get(f"/api/v1/alerts/{alert.pk}/delivery").json()

    assert answer["reach"] is None
    expected = alert_progress(alert=alert).as_json()
    assert {c["channel"]: c["total"] for c in answer["progress"]["channels"]} == {
        c["channel"]: c["total"] for c in expected["channels"]
    }
    assert answer["progress"]["total"] == expected["total"] > 0


def test_an_alert_one_may_not_read_has_no_delivery_to_show(sign_in, foreign, paul_neighbour):
    app = _app(sign_in, paul_neighbour)

    hidden = app.get(f"/api/v1/alerts/{foreign.pk}/delivery")
    missing = app.get("/api/v1/alerts/999999/delivery")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
