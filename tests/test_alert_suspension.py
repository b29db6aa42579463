"""A member the moderators suspended in their commune cannot alert it, by web or by SMS."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alerts.inbound import inbound_sms_receive
from alerts.models import Alert, AlertCategory
from alerts.services import alert_post
from moderation.models import ModerationAction, ModerationActionKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def suspended(jeanne_resident, cadaujac, marc_moderator):
    jeanne_resident.phone_verified_at = timezone.now()
    jeanne_resident.save()
    return ModerationAction.objects.create(
        commune=cadaujac,
        kind=ModerationActionKind.SUSPEND,
        author=jeanne_resident,
        actor=marc_moderator,
        note="Alertes visant des personnes pour leur apparence",
        suspended_until=timezone.now() + timedelta(days=7),
    )


def test_a_suspended_member_cannot_post_an_alert(jeanne_resident, suspended):
    with pytest.raises(ValidationError) as refused:
        alert_post(
            author=jeanne_resident,
            category=AlertCategory.SCOUTING,
            text="Voiture qui tourne dans le quartier",
        )

    assert "suspendu" in str(refused.value)
    assert not Alert.objects.exists()


def test_a_suspended_member_texting_the_relay_is_told_and_nothing_is_posted(
    jeanne_resident, suspended
):
    reply = inbound_sms_receive(
        phone=str(jeanne_resident.phone), body="Voiture suspecte", message_sid="SM" + "5" * 32
    )

    assert "suspendu" in reply
    assert not Alert.objects.exists()


def test_once_the_suspension_ends_the_member_alerts_again(jeanne_resident, suspended):
    ModerationAction.objects.filter(pk=suspended.pk).update(
        suspended_until=timezone.now() - timedelta(minutes=1)
    )

    alert = alert_post(
        author=jeanne_resident, category=AlertCategory.SCOUTING, text="Voiture qui tourne"
    )

    assert alert.pk


# The same suspension stops gazette posts and comments in that commune.


def test_a_suspended_member_cannot_publish_in_the_gazette_nor_comment(
    jeanne_resident, paul_neighbour, suspended, private_storage
):
    from gazette.models import GazetteCategory, GazettePost
    from gazette.services import comment_create, gazette_post_create

    with pytest.raises(ValidationError, match="suspendu"):
        gazette_post_create(
            author=jeanne_resident,
            category=GazetteCategory.LOAN,
            title="Je prête mon échelle",
            body="Échelle de 4 m.",
        )
    assert not GazettePost.objects.exists()

    post = gazette_post_create(
        author=paul_neighbour,
        category=GazetteCategory.LOAN,
        title="Je prête ma tondeuse",
        body="Tondeuse thermique.",
    )
    with pytest.raises(ValidationError, match="suspendu"):
        comment_create(post=post, author=jeanne_resident, text="Je peux passer la prendre ?")
    assert not post.comments.exists()


# And neighbours' private messages; the mairie's own conversations stay open to them.


def test_a_suspended_member_cannot_write_to_neighbours(jeanne_resident, paul_neighbour, suspended):
    from messaging.models import Conversation
    from messaging.services import conversation_start

    with pytest.raises(ValidationError, match="suspendu"):
        conversation_start(
            author=jeanne_resident, recipients=[paul_neighbour], text="Bonjour Paul !"
        )
    assert not Conversation.objects.exists()
