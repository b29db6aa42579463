"""Who reaches which alert page on Cadaujac's site: every URL × every persona, asserting
absence as strictly as presence, and that identifying details (a number plate) never show
to anyone but the commune's alert staff (moderator, police, administrator, broadcaster).

Jeanne (Centre-bourg) posted an alert with a number plate; Dieter posted one in Didenheim.
"""

import json

import pytest
from django.utils import timezone

from alerts.models import Alert, AlertCategory, AlertMessage
from alerts.services import alert_post
from communities.models import StaffRole
from communities.services import staff_role_grant
from tests.conftest import CADAUJAC_HOST

pytestmark = pytest.mark.django_db

PLATE = "GZ-417-KT"
TEXT = "Deux personnes relèvent les numéros des boîtes aux lettres rue du Port depuis 10 h."
OTHER_TEXT = "Démarcheur insistant rue de Mulhouse."

LOGIN, OK, NOT_FOUND, FORBIDDEN, REFUSED = "login", "ok", "404", "403", "refused"

ENDPOINTS = [
    "list",
    "ended",
    "create",
    "detail",
    "progress",
    "call_list",
    "police",
    "foreign",
    "follow_up",
    "take",
]


def _row(list_, create, detail, progress, call_list, police, follow_up, take):
    return dict(
        zip(
            ENDPOINTS,
            [list_, list_, create, detail, progress, call_list, police, NOT_FOUND, follow_up, take],
            strict=True,
        )
    )


_NOBODY = _row(OK, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)
MATRIX = {
    "anonymous": dict.fromkeys(ENDPOINTS, LOGIN),
    "pierre_pending": _NOBODY,
    "charlie_outsider": _NOBODY,
    "paul_neighbour": _row(OK, OK, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, REFUSED, NOT_FOUND),
    "lucie_tuileries": _row(
        OK, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND
    ),
    "dieter_didenheim": _NOBODY,
    "jeanne_resident": _row(OK, OK, OK, OK, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND),
    "marc_moderator": _row(OK, FORBIDDEN, OK, OK, OK, NOT_FOUND, OK, NOT_FOUND),
    "diane_moderator": _NOBODY,
    "police": _row(OK, FORBIDDEN, OK, OK, OK, OK, OK, OK),
    "other_police": _NOBODY,
    "alice_editor": _NOBODY,
    "platform_admin": _row(OK, FORBIDDEN, OK, OK, OK, OK, OK, OK),
}
# Who sees the alert at all (its text), and who sees its identifying details too.
SEES_ALERT = {"jeanne_resident", "paul_neighbour", "marc_moderator", "police", "platform_admin"}
SEES_DETAILS = {"marc_moderator", "police", "platform_admin"}


@pytest.fixture
def police(make_user, cadaujac):
    user = make_user("police@cadaujac.test", first_name="Agent", last_name="Municipal")
    staff_role_grant(user=user, commune=cadaujac, role=StaffRole.POLICE)
    return user


@pytest.fixture
def other_police(make_user, didenheim):
    user = make_user("police@didenheim.test", first_name="Agent", last_name="Didenheim")
    staff_role_grant(user=user, commune=didenheim, role=StaffRole.POLICE)
    return user


@pytest.fixture
def world(
    jeanne_resident,
    paul_neighbour,
    lucie_tuileries,
    dieter_didenheim,
    pierre_pending,
    marc_moderator,
    diane_moderator,
    police,
    other_police,
    alice_editor,
    platform_admin,
    charlie_outsider,
    fake_twilio,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        alert = alert_post(
            author=jeanne_resident,
            category=AlertCategory.SCOUTING,
            text=TEXT,
            identifying_details=PLATE,
        )
        foreign = alert_post(
            author=dieter_didenheim,
            category=AlertCategory.CANVASSER,
            text=OTHER_TEXT,
            identifying_details="Société Fenêtres-Plus",
        )
    return {"alert": alert, "foreign": foreign}


def _urls(world):
    pk, foreign = world["alert"].pk, world["foreign"].pk
    return {
        "list": "/alertes/",
        "ended": "/alertes/terminees/",
        "create": "/alertes/nouvelle/",
        "detail": f"/alertes/{pk}/",
        "progress": f"/alertes/{pk}/progression/",
        "call_list": f"/alertes/{pk}/injoignables/",
        "police": "/alertes/police/",
        "foreign": f"/alertes/{foreign}/",
        "follow_up": f"/alertes/{pk}/suivi/",
        "take": f"/alertes/{pk}/prise-en-charge/",
    }


def _outcome(response, endpoint, before):
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return LOGIN
    if endpoint in ("follow_up", "take") and response.status_code == 302:
        alert = Alert.objects.get(pk=before["pk"])
        changed = (
            AlertMessage.objects.filter(alert=alert).count() > before["messages"]
            if endpoint == "follow_up"
            else alert.police_taken_at is not None
        )
        return OK if changed else REFUSED
    return {200: OK, 403: FORBIDDEN, 404: NOT_FOUND}.get(
        response.status_code, str(response.status_code)
    )


@pytest.mark.parametrize("persona", list(MATRIX))
def test_alert_access_matrix(request, client, sign_in, world, persona):
    """Each persona against every alert URL; a failure lists every cell that differs."""
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    if user is not None:
        sign_in(client, user)
    alert = world["alert"]
    urls = _urls(world)

    outcomes, pages = {}, {}
    for endpoint in ENDPOINTS:
        before = {"pk": alert.pk, "messages": AlertMessage.objects.filter(alert=alert).count()}
        if endpoint == "follow_up":
            response = client.post(
                urls[endpoint], {"suivi-text": "Ils sont repartis vers le bourg."}
            )
        elif endpoint == "take":
            response = client.post(urls[endpoint])
        else:
            response = client.get(urls[endpoint])
        outcomes[endpoint] = _outcome(response, endpoint, before)
        pages[endpoint] = response.content.decode()

    assert outcomes == MATRIX[persona]

    # Identifying details: on the alert's page and the police feed for the commune's alert
    # staff, and nowhere else for anyone (lists, progress, call list, refusals).
    for endpoint, content in pages.items():
        shown = PLATE in content
        expected = (
            persona in SEES_DETAILS
            and endpoint in ("detail", "police")
            and outcomes[endpoint] == OK
        )
        assert shown == expected, f"{endpoint}: plate shown={shown}"
        assert "Fenêtres-Plus" not in content
        assert OTHER_TEXT not in content
    # The alert's text: to those who see the alert, in the list and on its page.
    for endpoint in ("list", "detail"):
        assert (TEXT in pages[endpoint]) == (persona in SEES_ALERT), endpoint
    if outcomes["progress"] == OK:
        assert {c["channel"] for c in json.loads(pages["progress"])["channels"]} >= {"email"}

    # A number that is no alert answers exactly like an alert the viewer may not see.
    assert client.get("/alertes/999999/").status_code == (302 if user is None else 404)


def test_an_alert_of_another_commune_is_not_found_on_this_site_even_for_its_own_staff(
    client, sign_in, world, diane_moderator, other_police
):
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    for user in (diane_moderator, other_police):
        sign_in(client, user)
        foreign = world["foreign"].pk
        for url in (
            f"/alertes/{foreign}/",
            f"/alertes/{foreign}/progression/",
            f"/alertes/{foreign}/injoignables/",
        ):
            assert client.get(url).status_code == 404
        assert client.post(f"/alertes/{foreign}/prise-en-charge/").status_code == 404
    assert Alert.objects.get(pk=world["foreign"].pk).police_taken_at is None


def test_the_platform_site_has_no_alert_pages(client, sign_in, world, platform_admin):
    sign_in(client, platform_admin)
    assert client.get("/alertes/").status_code == 404
    assert client.get(f"/alertes/{world['alert'].pk}/").status_code == 404


def test_the_police_feed_filters_alerts_not_taken_over(client, sign_in, world, police):
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    sign_in(client, police)
    second = alert_post(
        author=world["alert"].author,
        category=AlertCategory.BURGLARY,
        text="Volet forcé au 3 rue Neuve.",
    )
    Alert.objects.filter(pk=second.pk).update(
        police_taken_at=timezone.now(), police_taken_by=police
    )

    everything = client.get("/alertes/police/").content.decode()
    to_take = client.get("/alertes/police/?filtre=a-prendre").content.decode()

    assert TEXT in everything
    assert "Volet forcé" in everything
    assert TEXT in to_take
    assert "Volet forcé" not in to_take
