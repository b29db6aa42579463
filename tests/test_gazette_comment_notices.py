"""Authors hear of new comments on their posts: one notice per post, at most hourly.

The periodic task waits until the oldest unannounced comment is two minutes old, then
tells the author of every comment since the last notice, through the outbox, on the
channels they chose for other news; their own and hidden comments are never announced;
running it again sends nothing more, and a post's author is told at most once an hour.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Profile
from gazette.comment_notices import gazette_comments_notify
from gazette.models import Comment, GazetteCategory
from gazette.services import Audience, comment_create, gazette_post_create
from notifications.models import Channel, Delivery, Notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def notify(django_capture_on_commit_callbacks):
    """The periodic task's work and what it leaves for after commit (the outbox)."""

    def run(*, minutes: float) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return gazette_comments_notify(now=timezone.now() + timedelta(minutes=minutes))

    return run


@pytest.fixture
def ladder(jeanne_resident, cadaujac):
    """Jeanne lends her ladder to the whole commune."""
    return gazette_post_create(
        author=jeanne_resident,
        category=GazetteCategory.LOAN,
        title="Je prête mon échelle",
        body="Une échelle de 4 m, à venir chercher.",
        audience=Audience.COMMUNE,
    )


def test_two_neighbours_comments_make_one_email_to_the_author(
    ladder, jeanne_resident, paul_neighbour, lucie_tuileries, notify
):
    comment_create(post=ladder, author=paul_neighbour, text="Je peux la prendre samedi ?")
    comment_create(post=ladder, author=lucie_tuileries, text="Et moi dimanche !")
    comment_create(post=ladder, author=jeanne_resident, text="D'accord pour les deux.")
    mail.outbox.clear()

    assert notify(minutes=1) == 0  # too early: the discussion may go on
    assert notify(minutes=3) == 1

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [jeanne_resident.email]
    assert email.subject == "[Cadaujac] 2 nouveaux commentaires sur « Je prête mon échelle »"
    assert "Paul Darrigade : Je peux la prendre samedi ?" in email.body
    assert "Lucie Barbe : Et moi dimanche !" in email.body
    assert "D'accord pour les deux." not in email.body  # her own
    assert f"{ladder.url}#commentaires" in email.body
    assert Notice.objects.get().kind == "gazette_comments"
    assert notify(minutes=4) == 0  # nothing twice


def test_the_author_is_told_at_most_once_an_hour_per_post(
    ladder, jeanne_resident, paul_neighbour, notify
):
    comment_create(post=ladder, author=paul_neighbour, text="Elle est encore libre ?")
    assert notify(minutes=3) == 1
    comment_create(post=ladder, author=paul_neighbour, text="Je passe à 18 h.")
    mail.outbox.clear()

    assert notify(minutes=30) == 0
    assert notify(minutes=64) == 1

    assert len(mail.outbox) == 1
    assert "1 nouveau commentaire" in mail.outbox[0].subject
    assert "Je passe à 18 h." in mail.outbox[0].body
    assert "Elle est encore libre ?" not in mail.outbox[0].body


def test_hidden_comments_are_not_announced(ladder, paul_neighbour, notify):
    comment = comment_create(post=ladder, author=paul_neighbour, text="Message déplacé")
    Comment.objects.filter(pk=comment.pk).update(hidden_at=timezone.now())
    mail.outbox.clear()

    assert notify(minutes=3) == 0
    assert mail.outbox == []


def test_the_authors_channel_choices_are_followed(ladder, jeanne_resident, paul_neighbour, notify):
    Profile.objects.filter(user=jeanne_resident).update(news_by_email=False, news_by_push=False)
    comment_create(post=ladder, author=paul_neighbour, text="Merci Jeanne")
    mail.outbox.clear()

    assert notify(minutes=3) == 0
    assert mail.outbox == []
    assert not Notice.objects.exists()


def test_an_author_who_takes_news_by_push_gets_a_push(
    ladder, jeanne_resident, paul_neighbour, notify
):
    from notifications.models import PushSubscription

    Profile.objects.filter(user=jeanne_resident).update(news_by_email=False, news_by_push=True)
    PushSubscription.objects.create(
        user=jeanne_resident,
        endpoint="https://push.example.test/jeanne",
        p256dh="k" * 87,
        auth="a" * 22,
        user_agent="Firefox Android",
    )
    comment_create(post=ladder, author=paul_neighbour, text="Je la rapporte demain.")

    assert notify(minutes=3) == 1

    notice = Notice.objects.get()
    assert (notice.by_push, notice.by_email, notice.by_sms) == (True, False, False)
    assert notice.title == "Nouveaux commentaires — Je prête mon échelle"
    assert notice.text == "Paul Darrigade : Je la rapporte demain."
    assert Delivery.objects.filter(channel=Channel.PUSH).count() <= 1
