"""Neighbours' messaging: who may write to whom, and every refusal storing nothing.

Messages to someone outside one's community or commune, to an SMS-only member, to someone
who blocked you (or whom you blocked), in a conversation one left or where the mairie
expects no answer, empty or oversized messages, and flooding: a clear refusal, nothing
stored, nothing notified.
"""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from messaging.models import Conversation, Message, Participant
from messaging.notify import messages_notify
from messaging.official import official_send
from messaging.selectors import conversations_of, unread_total
from messaging.services import (
    conversation_leave,
    conversation_start,
    member_block,
    message_send,
    recipients_pickable,
)
from tests.conftest import CADAUJAC_HOST


@pytest.fixture
def germaine_sms_only(centre_bourg, django_user_model):
    """Germaine, verified in Centre-bourg, takes part by SMS alone (no e-mail, no password)."""
    from communities.models import Membership, MembershipStatus

    germaine = django_user_model.objects.create_user(
        phone="+33611000101", first_name="Germaine", last_name="Lafon"
    )
    Membership.objects.create(
        user=germaine,
        community=centre_bourg,
        address="2 rue du Lavoir",
        status=MembershipStatus.VERIFIED,
    )
    return germaine


def _counts():
    return Conversation.objects.count(), Participant.objects.count(), Message.objects.count()


def _refused(call, message_part: str):
    before = _counts()
    with pytest.raises((ValidationError, PermissionDenied)) as caught:
        call()
    assert message_part in " ".join(getattr(caught.value, "messages", [str(caught.value)]))
    assert _counts() == before
    return caught.value


def test_neighbours_of_one_community_write_to_each_other(jeanne_resident, paul_neighbour):
    conversation = conversation_start(
        author=jeanne_resident, recipients=[paul_neighbour], text="  Bonjour Paul  "
    )
    assert conversation.messages.get().text == "Bonjour Paul"
    reply = message_send(conversation=conversation, author=paul_neighbour, text="Bonjour !")
    assert reply.conversation == conversation
    assert set(conversation.participants.values_list("user", flat=True)) == {
        jeanne_resident.pk,
        paul_neighbour.pk,
    }


def test_only_verified_neighbours_of_ones_community_who_sign_in_are_pickable(
    jeanne_resident,
    paul_neighbour,
    rene_referent,
    lucie_tuileries,
    dieter_didenheim,
    pierre_pending,
    germaine_sms_only,
    arnaud_admin,
):
    assert set(recipients_pickable(author=jeanne_resident)) == {paul_neighbour, rene_referent}
    assert not recipients_pickable(author=arnaud_admin).exists()
    assert not recipients_pickable(author=pierre_pending).exists()


@pytest.mark.parametrize(
    "persona",
    ["lucie_tuileries", "dieter_didenheim", "pierre_pending", "germaine_sms_only", "arnaud_admin"],
)
def test_writing_outside_ones_community_is_refused(request, jeanne_resident, persona):
    recipient = request.getfixturevalue(persona)
    _refused(
        lambda: conversation_start(author=jeanne_resident, recipients=[recipient], text="Salut"),
        "membres vérifiés de votre communauté",
    )


def test_staff_and_pending_members_cannot_start_a_neighbours_conversation(
    arnaud_admin, pierre_pending, paul_neighbour
):
    for author in (arnaud_admin, pierre_pending):
        _refused(
            lambda author=author: conversation_start(
                author=author, recipients=[paul_neighbour], text="Bonjour"
            ),
            "réservée aux habitants vérifiés",
        )


@pytest.mark.parametrize("who_blocks", ["recipient", "author"])
def test_a_block_in_either_direction_refuses_new_conversations_and_replies(
    jeanne_resident, paul_neighbour, who_blocks
):
    conversation = conversation_start(author=jeanne_resident, recipients=[paul_neighbour], text="1")
    if who_blocks == "recipient":
        member_block(blocker=paul_neighbour, blocked=jeanne_resident)
    else:
        member_block(blocker=jeanne_resident, blocked=paul_neighbour)
    _refused(
        lambda: conversation_start(author=jeanne_resident, recipients=[paul_neighbour], text="2"),
        "bloqué",
    )
    _refused(
        lambda: message_send(conversation=conversation, author=jeanne_resident, text="3"),
        "blocage",
    )
    assert paul_neighbour not in recipients_pickable(author=jeanne_resident)


def test_empty_and_oversized_messages_are_refused(jeanne_resident, paul_neighbour):
    for text, reason in (("", "Écrivez"), ("   \n ", "Écrivez"), ("x" * 2001, "2000")):
        _refused(
            lambda text=text: conversation_start(
                author=jeanne_resident, recipients=[paul_neighbour], text=text
            ),
            reason,
        )
    conversation = conversation_start(
        author=jeanne_resident, recipients=[paul_neighbour], text="ok"
    )
    _refused(
        lambda: message_send(conversation=conversation, author=paul_neighbour, text="y" * 2001),
        "2000",
    )
    message_send(conversation=conversation, author=paul_neighbour, text="y" * 2000)


def test_a_member_who_left_cannot_write_and_nobody_left_means_no_reply(
    jeanne_resident, paul_neighbour
):
    conversation = conversation_start(author=jeanne_resident, recipients=[paul_neighbour], text="1")
    conversation_leave(participant=Participant.objects.get(user=paul_neighbour))
    _refused(
        lambda: message_send(conversation=conversation, author=paul_neighbour, text="2"),
        "ne participez pas",
    )
    _refused(
        lambda: message_send(conversation=conversation, author=jeanne_resident, text="3"),
        "Plus personne",
    )


def test_a_non_participant_cannot_write_in_a_conversation(
    jeanne_resident, paul_neighbour, rene_referent
):
    conversation = conversation_start(author=jeanne_resident, recipients=[paul_neighbour], text="1")
    _refused(
        lambda: message_send(conversation=conversation, author=rene_referent, text="2"),
        "ne participez pas",
    )


def test_replies_to_the_mairie_are_refused_when_it_expects_none(
    cadaujac, centre_bourg, jeanne_resident, make_user
):
    from communities.models import StaffRole
    from communities.services import staff_role_grant

    staff = make_user("diffusion@cadaujac.test", first_name="Diffusion")
    staff_role_grant(user=staff, commune=cadaujac, role=StaffRole.BROADCASTER)
    official_send(
        author=staff,
        commune=cadaujac,
        target="commune",
        text="Fermeture de la mairie lundi.",
        replies_allowed=False,
    )
    conversation = Conversation.objects.get(participants__user=jeanne_resident)
    _refused(
        lambda: message_send(conversation=conversation, author=jeanne_resident, text="Pourquoi ?"),
        "pas de réponse",
    )


@override_settings(MESSAGE_RATE_LIMIT=5, CONVERSATION_RATE_LIMIT=2)
def test_flooding_is_refused_beyond_the_rate_limits(jeanne_resident, paul_neighbour, rene_referent):
    first = conversation_start(author=jeanne_resident, recipients=[paul_neighbour], text="1")
    conversation_start(author=jeanne_resident, recipients=[rene_referent], text="2")
    _refused(
        lambda: conversation_start(author=jeanne_resident, recipients=[paul_neighbour], text="3"),
        "conversations en 24 heures",
    )
    for n in range(3):
        message_send(conversation=first, author=jeanne_resident, text=f"encore {n}")
    _refused(
        lambda: message_send(conversation=first, author=jeanne_resident, text="trop"),
        "patientez",
    )
    # The neighbour is not held back by Jeanne's flood.
    message_send(conversation=first, author=paul_neighbour, text="Du calme !")
    mail.outbox.clear()
    assert messages_notify()["email"] <= 2


def test_refusals_on_the_page_say_why_and_store_nothing(
    client, sign_in, jeanne_resident, paul_neighbour
):
    conversation = conversation_start(author=jeanne_resident, recipients=[paul_neighbour], text="1")
    member_block(blocker=paul_neighbour, blocked=jeanne_resident)
    sign_in(client, jeanne_resident)
    before = _counts()
    response = client.post(
        f"/messages/{conversation.pk}/", {"text": "Encore moi"}, HTTP_HOST=CADAUJAC_HOST
    )
    assert response.status_code == 400
    assert "blocage" in response.content.decode()
    response = client.post(
        f"/messages/{conversation.pk}/",
        {"text": "x" * 2001},
        HTTP_HOST=CADAUJAC_HOST,
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert _counts() == before


def test_the_new_conversation_page_offers_only_pickable_neighbours_and_explains_sms_only(
    client, sign_in, jeanne_resident, paul_neighbour, lucie_tuileries, germaine_sms_only
):
    sign_in(client, jeanne_resident)
    page = client.get("/messages/nouvelle/", HTTP_HOST=CADAUJAC_HOST).content.decode()
    assert "Paul Darrigade" in page
    assert "Lucie" not in page
    assert "Germaine" not in page
    assert "1 voisin participe par SMS seulement" in page
    before = _counts()
    response = client.post(
        "/messages/nouvelle/",
        {"recipients": [lucie_tuileries.pk], "text": "Coucou"},
        HTTP_HOST=CADAUJAC_HOST,
    )
    assert response.status_code == 400
    assert _counts() == before
    response = client.post(
        "/messages/nouvelle/",
        {"recipients": [paul_neighbour.pk], "text": "Coucou", "subject": "Fête"},
        HTTP_HOST=CADAUJAC_HOST,
    )
    assert response.status_code == 302
    assert Message.objects.get().text == "Coucou"


def test_the_directory_offers_to_write_only_to_pickable_neighbours(
    client, sign_in, jeanne_resident, paul_neighbour, germaine_sms_only
):
    sign_in(client, jeanne_resident)
    paul_page = client.get(f"/annuaire/{paul_neighbour.pk}/", HTTP_HOST=CADAUJAC_HOST)
    assert f"/messages/nouvelle/?a={paul_neighbour.pk}" in paul_page.content.decode()
    germaine_page = client.get(f"/annuaire/{germaine_sms_only.pk}/", HTTP_HOST=CADAUJAC_HOST)
    assert "/messages/nouvelle/" not in germaine_page.content.decode()
    assert "ne reçoit pas de messages privés" in germaine_page.content.decode()


def test_the_list_shows_unread_counts_newest_first_in_constant_queries(
    client, sign_in, jeanne_resident, paul_neighbour, rene_referent
):
    older = conversation_start(author=paul_neighbour, recipients=[jeanne_resident], text="a")
    message_send(conversation=older, author=paul_neighbour, text="b")
    newer = conversation_start(
        author=rene_referent, recipients=[jeanne_resident], text="c", subject="Réunion"
    )
    rows = conversations_of(user=jeanne_resident)
    assert [row.conversation.pk for row in rows] == [newer.pk, older.pk]
    assert [row.unread for row in rows] == [1, 2]
    assert unread_total(user=jeanne_resident) == 3
    for n in range(5):
        conversation_start(author=rene_referent, recipients=[jeanne_resident], text=f"x{n}")
    with CaptureQueriesContext(connection) as queries:
        rows = conversations_of(user=jeanne_resident)
    assert len(rows) == 7
    assert len(queries) <= 2
    sign_in(client, jeanne_resident)
    page = client.get("/messages/", HTTP_HOST=CADAUJAC_HOST).content.decode()
    assert "2 non lus" in page
    assert "(8" in page  # the header's unread count
    client.get(f"/messages/{older.pk}/", HTTP_HOST=CADAUJAC_HOST)
    assert unread_total(user=jeanne_resident) == 6
