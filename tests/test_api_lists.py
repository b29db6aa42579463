"""Lists apps poll: pages by cursor that neither repeat nor skip, ``ETag`` answered by
``304``, a fixed number of queries however many items, and refusals an app can show
field by field, in French."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts.models import BROADCAST_CATEGORIES, AlertCategory
from alerts.services import alert_post, broadcast_post
from communities.models import StaffRole
from communities.services import staff_role_grant
from gazette.models import GazetteCategory
from gazette.services.posts import gazette_post_create
from tests.api_tokens import app_token
from tests.conftest import CADAUJAC_HOST

pytestmark = pytest.mark.django_db

ALERTS = "/api/v1/alerts/"
GAZETTE = "/api/v1/gazette/"


@pytest.fixture
def broadcaster(marc_moderator, cadaujac):
    staff_role_grant(user=marc_moderator, commune=cadaujac, role=StaffRole.BROADCASTER)
    return marc_moderator


@pytest.fixture
def broadcasts(broadcaster, cadaujac):
    """The mairie's broadcasts to the whole commune, ``make(n)`` more at a time."""

    def make(count):
        return [
            broadcast_post(
                author=broadcaster,
                commune=cadaujac,
                category=BROADCAST_CATEGORIES[index % len(BROADCAST_CATEGORIES)],
                text=f"Information de la mairie numéro {index + 1} : coupure d'eau rue du Port.",
            )
            for index in range(count)
        ]

    return make


@pytest.fixture
def jeanne_app(client, sign_in, jeanne_resident):
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    client.defaults["HTTP_X_SESSION_TOKEN"] = app_token(client, sign_in, jeanne_resident)
    return client


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


# --- Cursor pagination ---------------------------------------------------------------------------


def test_pages_by_cursor_neither_repeat_nor_skip_when_an_alert_arrives(jeanne_app, broadcasts):
    made = broadcasts(5)

    first = jeanne_app.get(ALERTS, {"limit": 2}).json()
    broadcasts(1)  # posted while the member scrolls: it belongs before the first page
    second = jeanne_app.get(ALERTS, {"limit": 2, "cursor": first["page"]["next_cursor"]}).json()
    third = jeanne_app.get(ALERTS, {"limit": 2, "cursor": second["page"]["next_cursor"]}).json()

    ids = [item["id"] for page in (first, second, third) for item in page["items"]]
    assert ids == [alert.pk for alert in reversed(made)]
    assert third["page"]["next_cursor"] is None


def test_a_cursor_that_cannot_be_read_gives_the_first_page(jeanne_app, broadcasts):
    made = broadcasts(3)

    response = jeanne_app.get(ALERTS, {"limit": 2, "cursor": "pas-un-curseur"})

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [made[2].pk, made[1].pk]


def test_ended_alerts_are_listed_apart_from_running_ones(jeanne_app, jeanne_resident):
    running = alert_post(
        author=jeanne_resident,
        category=AlertCategory.SCOUTING,
        text="Camionnette blanche au pas rue des Vignes.",
    )
    ended = alert_post(
        author=jeanne_resident, category=AlertCategory.LOST_ANIMAL, text="Chat perdu rue du Port."
    )
    post_json(jeanne_app, f"{ALERTS}{ended.pk}/end", {"text": "Le chat est retrouvé."})

    assert [a["id"] for a in jeanne_app.get(ALERTS).json()["items"]] == [running.pk]
    ended_list = jeanne_app.get(ALERTS, {"state": "ended"}).json()["items"]
    assert [(a["id"], a["running"]) for a in ended_list] == [(ended.pk, False)]


# --- ETag ----------------------------------------------------------------------------------------


def test_an_app_polling_gets_304_until_something_changes(jeanne_app, broadcasts):
    broadcasts(2)
    first = jeanne_app.get(ALERTS)
    etag = first["ETag"]

    unchanged = jeanne_app.get(ALERTS, headers={"If-None-Match": etag})
    broadcasts(1)
    changed = jeanne_app.get(ALERTS, headers={"If-None-Match": etag})

    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert len(changed.json()["items"]) == 3
    assert first["Cache-Control"] == "private, no-cache"


def test_the_gazette_list_has_an_etag_too(jeanne_app, jeanne_resident):
    gazette_post_create(
        author=jeanne_resident,
        category=GazetteCategory.LOAN,
        title="Je prête une échelle",
        body="Une échelle de 4 mètres, à venir chercher le samedi.",
    )
    first = jeanne_app.get(GAZETTE, {"category": "loan"})

    assert [post["title"] for post in first.json()["items"]] == ["Je prête une échelle"]
    assert jeanne_app.get(GAZETTE, {"category": "help"}).json()["items"] == []
    repeat = jeanne_app.get(GAZETTE, {"category": "loan"}, headers={"If-None-Match": first["ETag"]})
    assert repeat.status_code == 304


# --- Constant queries ----------------------------------------------------------------------------


def _queries(client, url) -> int:
    """Queries of one polling request (after a first one: what an app's every next poll
    costs, once its token's last use is recorded and the site's paths are cached)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_alert_list_costs_the_same_queries_for_2_and_10_alerts(jeanne_app, broadcasts):
    broadcasts(2)
    with_two = _queries(jeanne_app, ALERTS)
    broadcasts(8)
    with_ten = _queries(jeanne_app, ALERTS)

    assert len(jeanne_app.get(ALERTS).json()["items"]) == 10
    assert with_ten == with_two
    assert with_ten <= 12


def test_gazette_list_costs_the_same_queries_for_2_and_10_posts(jeanne_app, jeanne_resident):
    def publish(count, start):
        for index in range(start, start + count):
            gazette_post_create(
                author=jeanne_resident,
                category=GazetteCategory.HELP,
                title=f"Coup de main numéro {index}",
                body="Qui pourrait m'aider à porter une armoire samedi matin ?",
            )

    publish(2, 0)
    with_two = _queries(jeanne_app, GAZETTE)
    publish(8, 2)
    with_ten = _queries(jeanne_app, GAZETTE)

    assert len(jeanne_app.get(GAZETTE).json()["items"]) == 10
    assert with_ten == with_two
    assert with_ten <= 14


# --- Refusals ------------------------------------------------------------------------------------


def test_refused_fields_are_named_one_by_one_in_french(jeanne_app):
    response = post_json(jeanne_app, ALERTS, {"category": "weather"})

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["title"] == "Données refusées"
    assert {(e["field"], e["detail"]) for e in problem["errors"]} == {
        ("category", "Choisissez une valeur de la liste."),
        ("text", "Ce champ est obligatoire."),
    }


def test_the_services_refusal_is_the_one_the_web_form_shows(jeanne_app):
    response = post_json(jeanne_app, ALERTS, {"category": "scouting", "text": "   "})

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "text", "detail": "Décrivez ce qui se passe."}]


def test_an_app_posts_no_more_alerts_an_hour_than_the_site_allows(jeanne_app):
    alert = {"category": "scouting", "text": "Une camionnette tourne rue des Vignes."}
    for _ in range(3):
        assert post_json(jeanne_app, ALERTS, alert).status_code == 201

    fourth = post_json(jeanne_app, ALERTS, alert)

    assert fourth.status_code == 429
    assert fourth["Content-Type"] == "application/problem+json"
    assert fourth["Retry-After"] == "3600"
    assert "Vous avez déjà publié 3 alertes dans l'heure" in fourth.json()["detail"]


def test_a_body_that_is_no_json_is_a_problem(jeanne_app):
    response = jeanne_app.post(ALERTS, "{pas du json", content_type="application/json")

    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"
