"""Who can reach a private conversation: its participants, and nobody else.

Every conversation endpoint answers 404 to a neighbour of the same community who is not in
it, to members of another community or commune, to mairie staff, moderators and the
platform team, and sends anonymous visitors to sign in: nothing is shown, stored or sent.
"""

import pytest
from django.core import mail

from messaging.models import Message, Participant
from messaging.services import conversation_start
from moderation.models import Report
from tests.conftest import CADAUJAC_HOST

SECRET = "Le code du portail est 4821, ne le dites à personne."


@pytest.fixture
def conversation(jeanne_resident, paul_neighbour):
    return conversation_start(
        author=jeanne_resident, recipients=[paul_neighbour], text=SECRET, subject="Portail"
    )


@pytest.fixture
def first_message(conversation):
    return conversation.messages.get()


def _endpoints(conversation, message):
    pk = conversation.pk
    return [
        ("get", f"/messages/{pk}/", {}),
        ("post", f"/messages/{pk}/", {"text": "Intrusion"}),
        ("get", f"/messages/{pk}/nouveaux/?apres=0", {}),
        ("post", f"/messages/{pk}/archiver/", {}),
        ("get", f"/messages/{pk}/quitter/", {}),
        ("post", f"/messages/{pk}/quitter/", {}),
        ("get", f"/messages/{pk}/messages/{message.pk}/signaler/", {}),
        ("post", f"/messages/{pk}/messages/{message.pk}/signaler/", {"reason": "Abus"}),
    ]


OUTSIDERS = [
    "rene_referent",  # same community, not in the conversation
    "lucie_tuileries",  # another community of the commune
    "dieter_didenheim",  # another commune
    "arnaud_admin",  # the mairie's administrator
    "marc_moderator",  # the commune's moderator
    "platform_admin",  # the platform team
    "charlie_outsider",  # an account with no role anywhere
]


def _state(conversation):
    return (
        list(Message.objects.values_list("pk", "text", "hidden_at")),
        list(Participant.objects.values_list("pk", "left_at", "archived_at", "last_read_at")),
        Report.objects.count(),
    )


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_every_conversation_endpoint_is_absent_for_anyone_not_in_it(
    request, client, sign_in, conversation, first_message, persona
):
    outsider = request.getfixturevalue(persona)
    sign_in(client, outsider)
    before = _state(conversation)
    mail.outbox.clear()
    for method, url, data in _endpoints(conversation, first_message):
        response = getattr(client, method)(url, data, HTTP_HOST=CADAUJAC_HOST)
        assert response.status_code == 404, (persona, method, url)
        assert SECRET not in response.content.decode(), (persona, url)
        assert "Portail" not in response.content.decode(), (persona, url)
    assert _state(conversation) == before
    assert mail.outbox == []
    listing = client.get("/messages/", HTTP_HOST=CADAUJAC_HOST)
    assert listing.status_code == 200
    assert "Portail" not in listing.content.decode()
    assert SECRET not in listing.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in_and_see_nothing(
    client, conversation, first_message
):
    before = _state(conversation)
    for method, url, data in [
        *_endpoints(conversation, first_message),
        ("get", "/messages/", {}),
        ("get", "/messages/nouvelle/", {}),
    ]:
        response = getattr(client, method)(url, data, HTTP_HOST=CADAUJAC_HOST)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"]
        assert SECRET not in response.content.decode()
    assert _state(conversation) == before


@pytest.mark.parametrize("persona", ["jeanne_resident", "paul_neighbour"])
def test_participants_read_the_conversation_and_its_new_messages(
    request, client, sign_in, conversation, first_message, persona
):
    sign_in(client, request.getfixturevalue(persona))
    page = client.get(f"/messages/{conversation.pk}/", HTTP_HOST=CADAUJAC_HOST)
    assert page.status_code == 200
    assert SECRET in page.content.decode()
    poll = client.get(f"/messages/{conversation.pk}/nouveaux/?apres=0", HTTP_HOST=CADAUJAC_HOST)
    assert poll.status_code == 200
    assert poll.json()["count"] == 1
    assert poll.json()["last"] == first_message.pk
    assert SECRET in poll.json()["html"]
    after = client.get(
        f"/messages/{conversation.pk}/nouveaux/?apres={first_message.pk}", HTTP_HOST=CADAUJAC_HOST
    )
    assert after.json() == {"last": first_message.pk, "count": 0, "html": ""}


def test_a_crafted_conversation_id_answers_404_and_stores_nothing(
    client, sign_in, conversation, jeanne_resident
):
    sign_in(client, jeanne_resident)
    before = _state(conversation)
    for pk in (conversation.pk + 1000, 0):
        assert client.get(f"/messages/{pk}/", HTTP_HOST=CADAUJAC_HOST).status_code == 404
        response = client.post(f"/messages/{pk}/", {"text": "Bonjour"}, HTTP_HOST=CADAUJAC_HOST)
        assert response.status_code == 404
    assert _state(conversation) == before


def test_a_message_of_another_conversation_cannot_be_reported_through_ones_own(
    client, sign_in, conversation, jeanne_resident, paul_neighbour, rene_referent
):
    other = conversation_start(author=rene_referent, recipients=[paul_neighbour], text="Privé")
    foreign = other.messages.get()
    sign_in(client, jeanne_resident)
    url = f"/messages/{conversation.pk}/messages/{foreign.pk}/signaler/"
    assert client.get(url, HTTP_HOST=CADAUJAC_HOST).status_code == 404
    assert client.post(url, {"reason": "x"}, HTTP_HOST=CADAUJAC_HOST).status_code == 404
    assert Report.objects.count() == 0


def test_a_member_who_left_no_longer_reaches_the_conversation(
    client, sign_in, conversation, paul_neighbour
):
    sign_in(client, paul_neighbour)
    response = client.post(f"/messages/{conversation.pk}/quitter/", HTTP_HOST=CADAUJAC_HOST)
    assert response.status_code == 302
    assert client.get(f"/messages/{conversation.pk}/", HTTP_HOST=CADAUJAC_HOST).status_code == 404
    listing = client.get("/messages/", HTTP_HOST=CADAUJAC_HOST).content.decode()
    assert "Portail" not in listing
