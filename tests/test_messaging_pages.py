"""The messaging pages: archiving, blocking and answering, as a member uses them."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.memberships import membership_leave
from messaging.models import Block, Message, Participant
from messaging.services import conversation_archive, conversation_start, message_send
from tests.conftest import CADAUJAC_HOST


def _get(client, url):
    return client.get(url, HTTP_HOST=CADAUJAC_HOST)


def _post(client, url, data=None, **extra):
    return client.post(url, data or {}, HTTP_HOST=CADAUJAC_HOST, **extra)


def test_an_archived_conversation_leaves_the_list_and_comes_back_with_a_new_message(
    client, sign_in, jeanne_resident, paul_neighbour
):
    conversation = conversation_start(
        author=paul_neighbour, recipients=[jeanne_resident], text="a", subject="Haie"
    )
    sign_in(client, jeanne_resident)
    assert _post(client, f"/messages/{conversation.pk}/archiver/").status_code == 302
    assert "Haie" not in _get(client, "/messages/").content.decode()
    assert "Haie" in _get(client, "/messages/archives/").content.decode()
    message_send(conversation=conversation, author=paul_neighbour, text="Et la haie ?")
    assert "Haie" in _get(client, "/messages/").content.decode()
    _post(client, f"/messages/{conversation.pk}/archiver/")
    _post(client, f"/messages/{conversation.pk}/archiver/", {"archiver": "0"})
    assert "Haie" in _get(client, "/messages/").content.decode()


def test_blocking_from_the_conversation_stops_writing_both_ways_until_unblocked(
    client, sign_in, jeanne_resident, paul_neighbour
):
    conversation = conversation_start(author=paul_neighbour, recipients=[jeanne_resident], text="a")
    sign_in(client, jeanne_resident)
    response = _post(
        client, f"/messages/bloquer/{paul_neighbour.pk}/", {"next": f"/messages/{conversation.pk}/"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/messages/{conversation.pk}/"
    assert Block.objects.filter(blocker=jeanne_resident, blocked=paul_neighbour).exists()
    page = _get(client, f"/messages/{conversation.pk}/").content.decode()
    assert "Un blocage existe" in page
    assert 'id="reply-form"' not in page
    assert "Paul Darrigade" in _get(client, "/messages/bloques/").content.decode()
    before = Message.objects.count()
    assert _post(client, f"/messages/{conversation.pk}/", {"text": "Re"}).status_code == 400
    assert Message.objects.count() == before
    _post(client, f"/messages/debloquer/{paul_neighbour.pk}/")
    assert not Block.objects.exists()
    assert _post(client, f"/messages/{conversation.pk}/", {"text": "Re"}).status_code == 302


def test_blocking_someone_one_cannot_see_answers_404(
    client, sign_in, jeanne_resident, dieter_didenheim, lucie_tuileries
):
    sign_in(client, jeanne_resident)
    for stranger in (dieter_didenheim, lucie_tuileries):
        assert _post(client, f"/messages/bloquer/{stranger.pk}/").status_code == 404
    assert _post(client, "/messages/bloquer/999999/").status_code == 404
    assert not Block.objects.exists()


def test_the_page_script_answers_in_json_and_polls_new_messages(
    client, sign_in, jeanne_resident, paul_neighbour
):
    conversation = conversation_start(author=paul_neighbour, recipients=[jeanne_resident], text="a")
    sign_in(client, jeanne_resident)
    response = _post(
        client,
        f"/messages/{conversation.pk}/",
        {"text": "<b>Salut</b>"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    assert response.json()["ok"] is True
    poll = _get(client, f"/messages/{conversation.pk}/nouveaux/?apres=0").json()
    assert poll["count"] == 2
    assert "&lt;b&gt;Salut&lt;/b&gt;" in poll["html"]  # escaped by the server
    assert "<b>Salut</b>" not in poll["html"]
    assert _get(client, f"/messages/{conversation.pk}/nouveaux/?apres=x").status_code == 400
    empty = _post(
        client, f"/messages/{conversation.pk}/", {"text": "  "}, HTTP_ACCEPT="application/json"
    )
    assert empty.status_code == 400
    assert empty.json()["errors"]


def test_opening_a_conversation_marks_it_read(client, sign_in, jeanne_resident, paul_neighbour):
    conversation = conversation_start(author=paul_neighbour, recipients=[jeanne_resident], text="a")
    assert Participant.objects.get(user=jeanne_resident).last_read_at is None
    sign_in(client, jeanne_resident)
    assert "(1" in _get(client, "/messages/").content.decode()
    _get(client, f"/messages/{conversation.pk}/")
    assert Participant.objects.get(user=jeanne_resident).last_read_at is not None
    assert "(1" not in _get(client, "/messages/").content.decode()


def test_a_member_who_leaves_is_no_longer_offered_to_write_to_neighbours(
    client, sign_in, jeanne_resident, paul_neighbour
):
    sign_in(client, jeanne_resident)
    assert "Écrire à des voisins" in _get(client, "/messages/").content.decode()

    membership_leave(membership=jeanne_resident.memberships.get())

    html = _get(client, "/messages/").content.decode()
    assert "Écrire à des voisins" not in html
    assert "réservée aux habitants vérifiés" in html


# Rendered after a change of the inbox: the member's conversations with their counts and
# last text, their participants, and the header's unread count; who the member is and the
# layout come from the cache. Read again while nothing changed: none (messaging.inbox).
MESSAGES_PAGE_MAX_QUERIES = 3


def _page_queries(client, url) -> int:
    """Queries of the page itself, not the session's (read from the database where no Redis
    keeps sessions)."""
    with CaptureQueriesContext(connection) as captured:
        assert _get(client, url).status_code == 200
    return sum('"django_session"' not in query["sql"] for query in captured.captured_queries)


def test_the_messages_page_costs_the_same_queries_for_2_and_7_conversations(
    client, sign_in, jeanne_resident, paul_neighbour, rene_referent
):
    for author in (paul_neighbour, rene_referent):
        conversation_start(author=author, recipients=[jeanne_resident], text="Bonjour")
    sign_in(client, jeanne_resident)
    _get(client, "/messages/")  # fills who she is and the layout
    conversation_start(author=paul_neighbour, recipients=[jeanne_resident], text="Encore")
    with_three = _page_queries(client, "/messages/")
    unchanged = _page_queries(client, "/messages/")
    for number in range(5):
        conversation_start(author=rene_referent, recipients=[jeanne_resident], text=f"n°{number}")
    with_eight = _page_queries(client, "/messages/")

    assert with_three == with_eight <= MESSAGES_PAGE_MAX_QUERIES
    assert unchanged == 0


def test_the_list_kept_in_the_cache_shows_each_change_of_the_inbox_at_once(
    client, sign_in, jeanne_resident, paul_neighbour
):
    conversation = conversation_start(
        author=paul_neighbour, recipients=[jeanne_resident], text="Bonjour", subject="Haie"
    )
    sign_in(client, jeanne_resident)
    assert "1 non lu" in _get(client, "/messages/").content.decode()

    message_send(conversation=conversation, author=paul_neighbour, text="Et la haie taillée ?")
    page = _get(client, "/messages/").content.decode()
    assert "2 non lus" in page
    assert "Et la haie taillée ?" in page

    _get(client, f"/messages/{conversation.pk}/")  # read
    assert "non lu" not in _get(client, "/messages/").content.decode()

    participant = Participant.objects.get(conversation=conversation, user=jeanne_resident)
    conversation_archive(participant=participant)
    assert "Haie" not in _get(client, "/messages/").content.decode()
    assert "Haie" in _get(client, "/messages/archives/").content.decode()
