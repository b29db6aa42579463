"""New messages are announced in batches: one e-mail (or push) per member, never twice.

The periodic task waits until the oldest unread message is two minutes old, then sends one
e-mail summarising everything unread since the member's last notice; a member who read the
conversation in the meantime gets nothing; running the task again sends nothing more.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db.models import F
from django.utils import timezone

from accounts.models import Profile
from messaging.models import Message, Participant
from messaging.notify import messages_notify
from messaging.selectors import participation_for
from messaging.services import conversation_read, conversation_start, message_send


@pytest.fixture
def notify(django_capture_on_commit_callbacks):
    """Run the periodic task's work and what it leaves for after commit (the outbox's
    sending), as a worker does outside any test transaction."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return messages_notify(**kwargs)

    return run


@pytest.fixture
def conversation(jeanne_resident, paul_neighbour):
    return conversation_start(
        author=jeanne_resident, recipients=[paul_neighbour], text="Avez-vous vu le chat ?"
    )


# A Tuesday morning in Paris: outside the quiet hours, whatever day the tests run.
BASE = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))


def _move_to(minutes: float) -> None:
    """What was written or read just now happened at BASE + ``minutes`` instead."""
    recent = BASE + timedelta(days=1)
    delta = BASE + timedelta(minutes=minutes) - timezone.now()
    Message.objects.filter(created_at__gt=recent).update(created_at=F("created_at") + delta)
    Participant.objects.filter(last_read_at__gt=recent).update(
        last_read_at=F("last_read_at") + delta
    )


def _later(minutes=3):
    return BASE + timedelta(minutes=minutes)


def test_three_messages_in_a_minute_send_one_email(
    conversation, jeanne_resident, paul_neighbour, notify
):
    message_send(conversation=conversation, author=jeanne_resident, text="Il est roux.")
    message_send(conversation=conversation, author=jeanne_resident, text="Il s'appelle Pilou.")
    _move_to(0)
    mail.outbox.clear()

    assert notify(now=_later(1))["email"] == 0  # too early: he may be reading
    assert mail.outbox == []

    assert notify(now=_later())["email"] == 1
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [paul_neighbour.email]
    assert "3 nouveau" in email.subject
    body = email.body
    for text in ("Avez-vous vu le chat ?", "Il est roux.", "Il s'appelle Pilou."):
        assert text in body
    assert f"/messages/{conversation.pk}/" in body
    assert "Jeanne Lafargue" in body
    # Jeanne wrote them: she is told of nothing.
    assert jeanne_resident.email not in [to for m in mail.outbox for to in m.to]

    assert notify(now=_later(30))["email"] == 0  # idempotent: never twice
    assert len(mail.outbox) == 1


def test_a_member_who_read_in_time_gets_no_email(conversation, paul_neighbour, notify):
    mail.outbox.clear()
    conversation_read(
        participant=participation_for(user=paul_neighbour, conversation_id=conversation.pk)
    )
    _move_to(1)
    assert notify(now=_later())["email"] == 0
    assert mail.outbox == []


def test_later_messages_are_announced_in_a_later_email_after_the_interval(
    conversation, jeanne_resident, paul_neighbour, notify
):
    _move_to(0)
    mail.outbox.clear()
    notify(now=_later())
    assert len(mail.outbox) == 1
    message_send(conversation=conversation, author=jeanne_resident, text="Retrouvé !")
    _move_to(4)
    assert notify(now=_later(5))["email"] == 0  # at most one e-mail per interval
    assert notify(now=_later(15))["email"] == 1
    assert "Retrouvé !" in mail.outbox[1].body
    assert "Avez-vous vu le chat ?" not in mail.outbox[1].body


def test_no_email_for_members_who_turned_news_by_email_off(conversation, paul_neighbour, notify):
    Profile.objects.update_or_create(user=paul_neighbour, defaults={"news_by_email": False})
    _move_to(0)
    mail.outbox.clear()
    assert notify(now=_later())["email"] == 0
    assert mail.outbox == []
    # Nothing is kept for later either: the batch was recorded as handled.
    assert Participant.objects.get(user=paul_neighbour).notified_message_id > 0


def test_push_is_coalesced_into_one_notification_with_the_conversation_url(
    conversation, jeanne_resident, paul_neighbour, push_device, fake_push, notify
):
    Profile.objects.update_or_create(
        user=paul_neighbour, defaults={"news_by_push": True, "news_by_email": False}
    )
    browser = push_device(paul_neighbour)
    message_send(conversation=conversation, author=jeanne_resident, text="Deuxième message")
    _move_to(0)
    assert notify(now=_later())["push"] == 1
    requests = fake_push.requests_to(browser.endpoint)
    assert len(requests) == 1
    notification = browser.decrypt(requests[0].body)
    assert notification["url"].endswith(f"/messages/{conversation.pk}/")
    assert "Deuxième message" in notification["body"]
    assert notification["tag"] == "messages"
    notify(now=_later(30))
    assert len(fake_push.requests_to(browser.endpoint)) == 1


def test_one_email_summarises_several_conversations(
    jeanne_resident, paul_neighbour, rene_referent, notify
):
    conversation_start(author=jeanne_resident, recipients=[paul_neighbour], text="Premier")
    conversation_start(author=rene_referent, recipients=[paul_neighbour], text="Second")
    _move_to(0)
    mail.outbox.clear()
    assert notify(now=_later())["email"] == 1
    assert "Premier" in mail.outbox[0].body
    assert "Second" in mail.outbox[0].body


def test_hidden_messages_are_never_announced(conversation, jeanne_resident, notify):
    conversation.messages.update(hidden_at=timezone.now())
    _move_to(0)
    mail.outbox.clear()
    assert notify(now=_later())["email"] == 0


def test_on_sunday_nothing_buzzes_email_goes_and_push_waits_for_monday_morning(
    conversation, jeanne_resident, paul_neighbour, rene_referent, push_device, fake_push, notify
):
    # Paul takes e-mail and push; René push only.
    Profile.objects.update_or_create(user=paul_neighbour, defaults={"news_by_push": True})
    Profile.objects.update_or_create(
        user=rene_referent, defaults={"news_by_push": True, "news_by_email": False}
    )
    paul_browser = push_device(paul_neighbour)
    rene_browser = push_device(rene_referent)
    conversation_start(author=jeanne_resident, recipients=[rene_referent], text="Pour René")
    sunday = datetime(2026, 11, 29, 11, 0, tzinfo=ZoneInfo("Europe/Paris"))
    delta = sunday - timezone.now()
    Message.objects.update(created_at=F("created_at") + delta)
    mail.outbox.clear()

    sent = notify(now=sunday + timedelta(minutes=3))
    assert sent == {"email": 1, "push": 0}
    assert mail.outbox[0].to == [paul_neighbour.email]
    assert fake_push.requests_to(paul_browser.endpoint) == []
    assert fake_push.requests_to(rene_browser.endpoint) == []

    monday = datetime(2026, 11, 30, 8, 1, tzinfo=ZoneInfo("Europe/Paris"))
    assert notify(now=monday) == {"email": 0, "push": 1}
    assert len(fake_push.requests_to(rene_browser.endpoint)) == 1
    assert fake_push.requests_to(paul_browser.endpoint) == []


def test_messages_already_read_are_not_repeated_with_a_new_one(
    conversation, jeanne_resident, paul_neighbour, notify
):
    _move_to(0)
    conversation_read(
        participant=participation_for(user=paul_neighbour, conversation_id=conversation.pk)
    )
    _move_to(1)
    message_send(conversation=conversation, author=jeanne_resident, text="Nouveau")
    _move_to(2)
    mail.outbox.clear()
    assert notify(now=_later(5))["email"] == 1
    assert "Nouveau" in mail.outbox[0].body
    assert "Avez-vous vu le chat ?" not in mail.outbox[0].body
