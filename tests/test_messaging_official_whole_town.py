"""A mairie's message to a whole town: the mairie does not wait while thousands of
conversations are written; each web member still gets exactly one, even when the task was
lost (broker down) and the sweep writes them, or when both run.

Below ``OFFICIAL_INLINE_CONVERSATIONS`` web members nothing changes (the conversations
exist when the send returns, ``test_messaging_official.py``); here the limit is lowered so
that Cadaujac's four web members stand for a town.
"""

from datetime import timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from messaging.models import Message, OfficialSend, Participant
from messaging.official import (
    official_conversations_complete,
    official_conversations_sweep,
    official_send,
)
from messaging.selectors import conversations_of
from tests import test_messaging_official
from tests.conftest import CADAUJAC_HOST

# The targeted-message tests' people: Cadaujac's web members, an SMS-only member, others.
barbara_broadcaster = test_messaging_official.barbara_broadcaster
people = test_messaging_official.people

pytestmark = pytest.mark.django_db

TOWN = {"Jeanne", "Paul", "René", "Lucie"}


@pytest.fixture
def town_sized(settings):
    settings.OFFICIAL_INLINE_CONVERSATIONS = 2


def _web_recipients():
    return sorted(
        Participant.objects.filter(for_mairie=False, conversation__kind="mairie").values_list(
            "user__first_name", flat=True
        )
    )


def _send(author, commune):
    return official_send(
        author=author,
        commune=commune,
        target="commune",
        subject="Coupure d'eau",
        text="Coupure d'eau mardi de 9 h à 12 h dans toute la commune.",
    )


def test_the_conversations_are_written_after_the_send_and_each_member_gets_one(
    town_sized, cadaujac, barbara_broadcaster, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send = _send(barbara_broadcaster, cadaujac)
        # While the mairie waits, only counts are written.
        assert _web_recipients() == []
        assert send.reach["web"] == len(TOWN)
        assert send.conversations_pending
    for callback in callbacks:
        callback()  # the worker's task

    assert _web_recipients() == sorted(TOWN)
    send.refresh_from_db()
    assert not send.conversations_pending
    jeanne = people["jeanne"]
    (row,) = conversations_of(user=jeanne)  # her inbox: one conversation from the mairie
    assert row.conversation.official_id == send.pk
    message = Message.objects.get(conversation=row.conversation)
    assert (message.text, message.author, message.from_mairie) == (
        send.text,
        barbara_broadcaster,
        True,
    )
    assert row.unread == 1
    # The mairie's side of each conversation waits, read, in its archive until an answer.
    mairie_sides = Participant.objects.filter(conversation__official=send, for_mairie=True)
    assert mairie_sides.count() == len(TOWN)
    assert set(mairie_sides.values_list("user_id", flat=True)) == {barbara_broadcaster.pk}
    assert not mairie_sides.filter(Q(archived_at=None) | Q(last_read_at=None)).exists()
    assert row.conversation.subject == "Coupure d'eau"
    # Running again (a redelivered task, the sweep) writes nothing more.
    assert official_conversations_complete(send_id=send.pk) == 0
    assert _web_recipients() == sorted(TOWN)


def test_a_lost_task_is_made_up_by_the_sweep_a_minute_later(
    town_sized, cadaujac, barbara_broadcaster, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        send = _send(barbara_broadcaster, cadaujac)  # its task never runs
    assert official_conversations_sweep() == 0  # too early: the task may still come
    assert _web_recipients() == []

    assert official_conversations_sweep(now=timezone.now() + timedelta(minutes=2)) == 1
    assert _web_recipients() == sorted(TOWN)
    assert not OfficialSend.objects.get(pk=send.pk).conversations_pending
    assert official_conversations_sweep(now=timezone.now() + timedelta(minutes=3)) == 0


def test_the_mairie_is_told_the_messages_are_on_their_way(
    town_sized,
    client,
    sign_in,
    cadaujac,
    barbara_broadcaster,
    people,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        send = _send(barbara_broadcaster, cadaujac)
    sign_in(client, barbara_broadcaster)
    page = client.get(f"/admin/messages-mairie/{send.pk}/", HTTP_HOST=CADAUJAC_HOST)
    assert page.status_code == 200
    assert "arrive dans la messagerie de chaque habitant" in page.content.decode()
    official_conversations_complete(send_id=send.pk)
    page = client.get(f"/admin/messages-mairie/{send.pk}/", HTTP_HOST=CADAUJAC_HOST)
    assert "arrive dans la messagerie de chaque habitant" not in page.content.decode()
