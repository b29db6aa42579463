""" "Contacter" on a gazette post: a reader writes privately to its author.

Whoever the post's audience lets read it may write to its author, even from another
community of the commune when the post is shared commune-wide; nobody else, and never
beyond messaging's own rules (verified residents online, no block). A mairie's post has
no personal author to contact.
"""

import html

import pytest

from gazette.models import GazetteCategory
from gazette.services import Audience, gazette_post_create
from messaging.models import Block, Conversation
from messaging.services import message_send
from tests.conftest import CADAUJAC_HOST, DIDENHEIM_HOST

pytestmark = pytest.mark.django_db

NEW = "/messages/nouvelle/"


def _post(author, audience, **kwargs):
    return gazette_post_create(
        author=author,
        category=GazetteCategory.CLASSIFIED,
        title="Vélo d'enfant à donner",
        body="Un vélo de 16 pouces, bon état.",
        audience=audience,
        **kwargs,
    )


@pytest.fixture
def shared(jeanne_resident):
    """Jeanne (Centre-bourg) gives a bike away to the whole commune."""
    return _post(jeanne_resident, Audience.COMMUNE)


@pytest.fixture
def community_only(jeanne_resident):
    return _post(jeanne_resident, Audience.COMMUNITY)


def _page(client, url, host=CADAUJAC_HOST):
    response = client.get(url, HTTP_HOST=host)
    return response.status_code, html.unescape(response.content.decode())


def _write(client, post, recipient, host=CADAUJAC_HOST):
    return client.post(
        NEW,
        {
            "recipients": [recipient.pk],
            "subject": post.title,
            "text": "Bonjour, le vélo est-il encore disponible ?",
            "au_sujet_de": f"gazette:{post.pk}",
        },
        HTTP_HOST=host,
    )


@pytest.mark.parametrize(
    ("reader", "sees_button"),
    [
        ("paul_neighbour", True),  # same community
        ("lucie_tuileries", True),  # another community, post shared commune-wide
        ("jeanne_resident", False),  # her own post
        ("marc_moderator", False),  # staff, not a resident: no private messages
    ],
)
def test_who_sees_contacter_on_a_commune_wide_post(
    request, client, sign_in, shared, reader, sees_button
):
    sign_in(client, request.getfixturevalue(reader))

    status, page = _page(client, shared.url)

    assert status == 200
    assert ("Contacter" in page) is sees_button


def test_a_neighbour_of_another_community_writes_to_the_author_and_gets_an_answer(
    client, sign_in, shared, jeanne_resident, lucie_tuileries
):
    sign_in(client, lucie_tuileries)
    status, form = _page(client, f"{NEW}?a={jeanne_resident.pk}&au_sujet_de=gazette:{shared.pk}")
    assert status == 200
    assert "Jeanne Lafargue" in form
    assert "Vélo d'enfant à donner" in form  # the subject, suggested

    response = _write(client, shared, jeanne_resident)

    assert response.status_code == 302
    conversation = Conversation.objects.get()
    assert set(conversation.participants.values_list("user__first_name", flat=True)) == {
        "Jeanne",
        "Lucie",
    }
    message_send(conversation=conversation, author=jeanne_resident, text="Oui, passez ce soir.")
    assert conversation.messages.count() == 2


def test_a_post_for_one_community_opens_no_door_to_another(
    client, sign_in, community_only, jeanne_resident, lucie_tuileries
):
    sign_in(client, lucie_tuileries)

    status, _page_html = _page(client, community_only.url)
    response = _write(client, community_only, jeanne_resident)

    assert status == 404
    assert response.status_code == 400
    assert not Conversation.objects.exists()


@pytest.mark.parametrize("reader", ["dieter_didenheim", "charlie_outsider"])
def test_nobody_outside_the_commune_may_write_through_a_post(
    request, client, sign_in, shared, jeanne_resident, reader
):
    sign_in(client, request.getfixturevalue(reader))
    host = DIDENHEIM_HOST if reader == "dieter_didenheim" else CADAUJAC_HOST

    response = _write(client, shared, jeanne_resident, host=host)

    assert response.status_code in (400, 403)
    assert not Conversation.objects.exists()


def test_a_block_still_stops_the_contact(client, sign_in, shared, jeanne_resident, lucie_tuileries):
    Block.objects.create(blocker=jeanne_resident, blocked=lucie_tuileries)
    sign_in(client, lucie_tuileries)

    _status, page = _page(client, shared.url)
    response = _write(client, shared, jeanne_resident)

    assert "Contacter" not in page
    assert response.status_code == 400
    assert not Conversation.objects.exists()


def test_a_mairie_post_has_no_personal_author_to_contact(
    client, sign_in, cadaujac, alice_editor, lucie_tuileries
):
    post = _post(alice_editor, Audience.COMMUNE, commune=cadaujac)
    sign_in(client, lucie_tuileries)

    _status, page = _page(client, post.url)
    response = _write(client, post, alice_editor)

    assert "Contacter" not in page
    assert response.status_code == 400
    assert not Conversation.objects.exists()
