"""The directory, conversations and search over the API do what the site does: a message an
app sends is the one the neighbour reads on the site, a block stops an app as it stops the
form, refused input names each field in French and changes nothing, and every list costs the
same queries however long it is."""

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gazette.models import GazetteCategory
from gazette.services.posts import gazette_post_create
from messaging.models import Conversation, Message
from messaging.services import conversation_start, message_send
from moderation.models import Report
from tests.api_tokens import app_token
from tests.conftest import CADAUJAC_HOST

pytestmark = pytest.mark.django_db

CONVERSATIONS = "/api/v1/conversations/"
DIRECTORY = "/api/v1/directory/"
SEARCH = "/api/v1/search/"


@pytest.fixture
def app_of(sign_in):
    """A client signed in by ``user``'s app token on Cadaujac's host, and no cookie."""

    def make(user):
        client = Client(HTTP_HOST=CADAUJAC_HOST)
        client.defaults["HTTP_X_SESSION_TOKEN"] = app_token(client, sign_in, user)
        return client

    return make


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def _site(sign_in, user) -> Client:
    return sign_in(Client(HTTP_HOST=CADAUJAC_HOST), user)


# --- Messages ------------------------------------------------------------------------------------


def test_a_message_sent_by_an_app_is_read_by_the_neighbour_on_the_site(
    app_of, sign_in, jeanne_resident, paul_neighbour
):
    jeanne = app_of(jeanne_resident)

    started = post_json(
        jeanne,
        CONVERSATIONS,
        {
            "recipients": [paul_neighbour.pk],
            "subject": "Escabeau",
            "text": "Bonjour Paul, je vous prête l'escabeau samedi.",
        },
    )

    assert started.status_code == 201
    conversation = started.json()
    assert conversation["title"] == "Escabeau"
    assert conversation["participants"] == [{"id": paul_neighbour.pk, "name": "Paul Darrigade"}]
    assert conversation["messages"][0]["mine"] is True
    paul_site = _site(sign_in, paul_neighbour)
    inbox = paul_site.get("/messages/").content.decode()
    assert "Escabeau" in inbox
    page = paul_site.get(f"/messages/{conversation['id']}/").content.decode()
    assert "Bonjour Paul, je vous prête l&#x27;escabeau samedi." in page

    reply = post_json(
        jeanne, f"{CONVERSATIONS}{conversation['id']}/messages", {"text": "Vers 10 h ?"}
    )

    assert reply.status_code == 201
    assert reply.json()["text"] == "Vers 10 h ?"
    assert "Vers 10 h ?" in paul_site.get(f"/messages/{conversation['id']}/").content.decode()


def test_reading_a_conversation_in_the_app_marks_it_read_as_the_site_does(
    app_of, jeanne_resident, paul_neighbour
):
    conversation = conversation_start(
        author=paul_neighbour, recipients=[jeanne_resident], text="Votre chat est chez moi."
    )
    message_send(conversation=conversation, author=paul_neighbour, text="Il va bien.")
    jeanne = app_of(jeanne_resident)

    before = jeanne.get(CONVERSATIONS).json()["items"]
    detail = jeanne.get(f"{CONVERSATIONS}{conversation.pk}").json()
    after = jeanne.get(CONVERSATIONS).json()["items"]

    assert [(row["id"], row["unread"], row["last_text"]) for row in before] == [
        (conversation.pk, 2, "Il va bien.")
    ]
    assert [m["text"] for m in detail["messages"]] == ["Votre chat est chez moi.", "Il va bien."]
    assert detail["can_reply"] is True
    assert after[0]["unread"] == 0


def test_a_blocked_member_cannot_write_through_the_app(app_of, jeanne_resident, paul_neighbour):
    conversation = conversation_start(
        author=jeanne_resident, recipients=[paul_neighbour], text="Bonjour Paul."
    )
    paul = app_of(paul_neighbour)
    jeanne = app_of(jeanne_resident)

    blocked = post_json(paul, "/api/v1/blocks/", {"member_id": jeanne_resident.pk})
    reply = post_json(jeanne, f"{CONVERSATIONS}{conversation.pk}/messages", {"text": "Alors ?"})
    start = post_json(
        jeanne, CONVERSATIONS, {"recipients": [paul_neighbour.pk], "text": "Bonjour ?"}
    )
    detail = jeanne.get(f"{CONVERSATIONS}{conversation.pk}").json()

    assert blocked.status_code == 201
    assert paul.get("/api/v1/blocks/").json() == [
        {"member_id": jeanne_resident.pk, "name": "Jeanne Lafargue"}
    ]
    assert reply.status_code == 422
    assert reply["Content-Type"] == "application/problem+json"
    assert "blocage" in reply.json()["detail"]
    assert start.status_code == 422
    assert start.json()["errors"] == [
        {
            "field": "recipients",
            "detail": "Vous ne pouvez pas écrire à un voisin qui vous a bloqué "
            "ou que vous avez bloqué.",
        }
    ]
    assert detail["can_reply"] is False
    assert "blocage" in detail["cannot_reply"]
    assert Message.objects.count() == 1
    assert Conversation.objects.count() == 1

    unblocked = paul.delete(f"/api/v1/blocks/{jeanne_resident.pk}")
    again = post_json(jeanne, f"{CONVERSATIONS}{conversation.pk}/messages", {"text": "Alors ?"})

    assert unblocked.status_code == 204
    assert again.status_code == 201


def test_refused_input_names_each_field_in_french_and_changes_nothing(
    app_of, jeanne_resident, paul_neighbour, lucie_tuileries
):
    jeanne = app_of(jeanne_resident)
    conversation = conversation_start(
        author=jeanne_resident, recipients=[paul_neighbour], text="Bonjour Paul."
    )

    missing = post_json(jeanne, CONVERSATIONS, {"subject": "x" * 121})
    empty = post_json(jeanne, CONVERSATIONS, {"recipients": [paul_neighbour.pk], "text": "  "})
    foreign = post_json(jeanne, CONVERSATIONS, {"recipients": [lucie_tuileries.pk], "text": "Hé"})
    too_long = post_json(jeanne, f"{CONVERSATIONS}{conversation.pk}/messages", {"text": "a" * 2001})
    no_reason = post_json(
        app_of(paul_neighbour),
        f"{CONVERSATIONS}{conversation.pk}/messages/{conversation.messages.get().pk}/report",
        {"reason": " "},
    )

    for response in (missing, empty, foreign, too_long, no_reason):
        assert response.status_code == 422
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["title"] == "Données refusées"
    assert {(e["field"], e["detail"]) for e in missing.json()["errors"]} == {
        ("recipients", "Ce champ est obligatoire."),
        ("text", "Ce champ est obligatoire."),
        ("subject", "Ce texte est trop long : 120 caractères au plus."),
    }
    assert empty.json()["errors"] == [
        {"field": "text", "detail": "Écrivez votre message avant de l'envoyer."}
    ]
    assert foreign.json()["errors"][0]["field"] == "recipients"
    assert too_long.json()["errors"] == [
        {"field": "text", "detail": "Ce texte est trop long : 2000 caractères au plus."}
    ]
    assert no_reason.json()["errors"] == [
        {"field": "reason", "detail": "Dites en quelques mots ce qui pose problème."}
    ]
    assert Conversation.objects.count() == 1
    assert Message.objects.count() == 1
    assert Report.objects.count() == 0


def test_an_app_sends_no_more_messages_than_the_site_allows(
    app_of, settings, jeanne_resident, paul_neighbour
):
    settings.MESSAGE_RATE_LIMIT = 2
    conversation = conversation_start(
        author=jeanne_resident, recipients=[paul_neighbour], text="Bonjour Paul."
    )
    jeanne = app_of(jeanne_resident)
    url = f"{CONVERSATIONS}{conversation.pk}/messages"

    second = post_json(jeanne, url, {"text": "Encore moi."})
    third = post_json(jeanne, url, {"text": "Et encore."})

    assert second.status_code == 201
    assert third.status_code == 429
    assert third["Retry-After"]
    assert third.json()["detail"].startswith("Vous avez envoyé 2 messages en 10 minutes")
    assert conversation.messages.count() == 2


def test_a_reported_message_reaches_the_mairies_moderators_once(
    app_of, jeanne_resident, paul_neighbour
):
    conversation = conversation_start(
        author=paul_neighbour, recipients=[jeanne_resident], text="Message désagréable."
    )
    message = conversation.messages.get()
    jeanne = app_of(jeanne_resident)
    url = f"{CONVERSATIONS}{conversation.pk}/messages/{message.pk}/report"

    first = post_json(jeanne, url, {"reason": "Propos insultants."})
    second = post_json(jeanne, url, {"reason": "Encore."})
    archived = post_json(jeanne, f"{CONVERSATIONS}{conversation.pk}/archive", {})

    assert first.status_code == 201
    report = Report.objects.get()
    assert (report.reporter, report.object_id, report.reason) == (
        jeanne_resident,
        message.pk,
        "Propos insultants.",
    )
    assert second.status_code == 422
    assert Report.objects.count() == 1
    assert archived.json() == {"id": conversation.pk, "archived": True}
    assert jeanne.get(CONVERSATIONS).json()["items"] == []
    archives = jeanne.get(CONVERSATIONS, {"archived": "true"}).json()["items"]
    assert [row["id"] for row in archives] == [conversation.pk]


# --- Directory -----------------------------------------------------------------------------------


def test_the_directory_shows_each_field_as_the_site_does(app_of, jeanne_resident, paul_neighbour):
    entries = {item["id"]: item for item in app_of(paul_neighbour).get(DIRECTORY).json()["items"]}

    jeanne = entries[jeanne_resident.pk]
    assert jeanne["name"] == "Jeanne Lafargue"
    assert jeanne["community"] == "Centre-bourg"
    # Interests shown to neighbours; address, phone, e-mail and presentation to the mairie.
    assert jeanne["shown"] == ["interests"]
    assert jeanne["interests"] == "Jardinage ; je peux prêter une échelle"
    assert jeanne["address"] is jeanne["phone"] is jeanne["email"] is jeanne["bio"] is None
    assert jeanne["can_write"] is True
    assert entries[paul_neighbour.pk]["can_write"] is False  # himself


def test_the_directory_searches_and_pages_like_the_site(
    app_of, make_member, centre_bourg, jeanne_resident, paul_neighbour
):
    for index in range(5):
        make_member(
            f"voisin{index}@cadaujac.test", centre_bourg, first_name="Voisin", last_name=f"B{index}"
        )
    paul = app_of(paul_neighbour)

    found = paul.get(DIRECTORY, {"q": "echelle"}).json()["items"]
    first = paul.get(DIRECTORY, {"limit": 3}).json()
    second = paul.get(DIRECTORY, {"limit": 3, "cursor": first["page"]["next_cursor"]}).json()
    third = paul.get(DIRECTORY, {"limit": 3, "cursor": second["page"]["next_cursor"]}).json()

    assert [item["name"] for item in found] == ["Jeanne Lafargue"]
    names = [item["name"] for page in (first, second, third) for item in page["items"]]
    site = _site_directory_names(paul_neighbour)
    assert names == site
    assert third["page"]["next_cursor"] is None


def _site_directory_names(user) -> list[str]:
    client = Client(HTTP_HOST=CADAUJAC_HOST)
    client.force_login(user)
    html = client.get("/annuaire/").content.decode()
    return re.findall(r'class="member-card__name"><a href="[^"]+">([^<]+)</a>', html)


# --- Search --------------------------------------------------------------------------------------


def test_search_gives_the_sites_results(app_of, sign_in, jeanne_resident, paul_neighbour):
    for index in range(3):
        gazette_post_create(
            author=jeanne_resident,
            category=GazetteCategory.LOAN,
            title=f"Échelle à prêter numéro {index}",
            body="Une échelle de quatre mètres, à venir chercher le samedi.",
        )

    answer = app_of(paul_neighbour).get(SEARCH, {"q": "échelle"}).json()
    html = _site(sign_in, paul_neighbour).get("/recherche/", {"q": "échelle"}).content.decode()

    site_urls = re.findall(r'<h2 class="card__title"><a href="([^"]+)">', html)
    assert [item["url"] for item in answer["items"]] == site_urls
    assert answer["count"] == 3
    assert all(item["gazette"] for item in answer["items"])
    assert "<mark>" in answer["items"][0]["title_html"]


def test_search_on_the_platforms_host_is_not_found(client, sign_in, paul_neighbour):
    token = app_token(client, sign_in, paul_neighbour)

    response = client.get(SEARCH, {"q": "échelle"}, headers={"X-Session-Token": token})

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


# --- Constant queries ----------------------------------------------------------------------------


def _queries(client, url, params=None) -> int:
    """Queries of one request after a first one (the token's last use recorded)."""
    assert client.get(url, params or {}).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


def _assert_same_queries(client, url, grow, django_assert_max_num_queries, params=None):
    grow(2)
    with_two = _queries(client, url, params)
    grow(8)
    client.get(url, params or {})
    with django_assert_max_num_queries(with_two):
        assert client.get(url, params or {}).status_code == 200


def test_the_directory_costs_the_same_queries_for_3_and_11_members(
    app_of, make_member, centre_bourg, paul_neighbour, django_assert_max_num_queries
):
    made = []

    def grow(count):
        for _index in range(count):
            number = len(made)
            made.append(
                make_member(
                    f"membre{number}@cadaujac.test",
                    centre_bourg,
                    first_name="Membre",
                    last_name=f"N{number:02d}",
                )
            )

    paul = app_of(paul_neighbour)
    _assert_same_queries(paul, DIRECTORY, grow, django_assert_max_num_queries)
    assert len(paul.get(DIRECTORY).json()["items"]) == 11


def test_conversations_cost_the_same_queries_for_2_and_10(
    app_of, make_member, centre_bourg, jeanne_resident, django_assert_max_num_queries
):
    def grow(count):
        for _index in range(count):
            number = Conversation.objects.count()
            neighbour = make_member(
                f"ami{number}@cadaujac.test", centre_bourg, first_name="Ami", last_name=f"{number}"
            )
            conversation_start(
                author=neighbour, recipients=[jeanne_resident], text=f"Bonjour n°{number}."
            )

    jeanne = app_of(jeanne_resident)
    _assert_same_queries(jeanne, CONVERSATIONS, grow, django_assert_max_num_queries)
    assert len(jeanne.get(CONVERSATIONS).json()["items"]) == 10


def test_a_conversation_costs_the_same_queries_for_2_and_10_messages(
    app_of, jeanne_resident, paul_neighbour, django_assert_max_num_queries
):
    conversation = conversation_start(
        author=paul_neighbour, recipients=[jeanne_resident], text="Bonjour."
    )

    def grow(count):
        for index in range(count - (1 if conversation.messages.count() == 1 else 0)):
            message_send(conversation=conversation, author=paul_neighbour, text=f"Message {index}")

    jeanne = app_of(jeanne_resident)
    url = f"{CONVERSATIONS}{conversation.pk}"
    _assert_same_queries(jeanne, url, grow, django_assert_max_num_queries)
    assert len(jeanne.get(url).json()["messages"]) == 10


def test_search_costs_the_same_queries_for_2_and_10_results(
    app_of, jeanne_resident, paul_neighbour, django_assert_max_num_queries
):
    def grow(count):
        for _index in range(count):
            gazette_post_create(
                author=jeanne_resident,
                category=GazetteCategory.HELP,
                title="Coup de main pour une armoire",
                body="Qui pourrait m'aider à porter une armoire samedi matin ?",
            )

    paul = app_of(paul_neighbour)
    _assert_same_queries(paul, SEARCH, grow, django_assert_max_num_queries, {"q": "armoire"})
    assert paul.get(SEARCH, {"q": "armoire"}).json()["count"] == 10
