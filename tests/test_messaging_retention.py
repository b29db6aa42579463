"""Private messages do not outlive their purpose: retention, erasure, export, and reports.

Messages older than ``MESSAGE_RETENTION_DAYS`` are deleted with their emptied
conversations; a member's erasure removes the words of every message they wrote (shown as
"ancien membre") and their participations; their export lists their conversations and
their own messages only. A reported message shows moderators that message alone.
"""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.gdpr import account_erase, account_export_data
from messaging.models import Block, Conversation, Message, Participant
from messaging.retention import messages_retention_apply
from messaging.services import conversation_start, member_block, message_send
from moderation.models import Report
from moderation.reportables import report_create, reportable_for
from tests.conftest import CADAUJAC_HOST


@pytest.fixture
def conversation(jeanne_resident, paul_neighbour):
    conversation = conversation_start(
        author=jeanne_resident, recipients=[paul_neighbour], text="Message de Jeanne"
    )
    message_send(conversation=conversation, author=paul_neighbour, text="Réponse de Paul")
    return conversation


def _age(queryset, days):
    queryset.update(created_at=timezone.now() - timedelta(days=days))


def test_messages_older_than_the_retention_period_are_deleted(
    settings, conversation, jeanne_resident, rene_referent
):
    settings.MESSAGE_RETENTION_DAYS = 365
    old = conversation_start(author=rene_referent, recipients=[jeanne_resident], text="Vieux")
    _age(Message.objects.filter(conversation=old), 400)
    _age(Conversation.objects.filter(pk=old.pk), 400)
    _age(Message.objects.filter(text="Message de Jeanne"), 366)
    assert messages_retention_apply() == {"messages": 2, "conversations": 1}
    assert not Conversation.objects.filter(pk=old.pk).exists()
    assert list(Message.objects.values_list("text", flat=True)) == ["Réponse de Paul"]
    assert Conversation.objects.filter(pk=conversation.pk).exists()
    assert messages_retention_apply() == {"messages": 0, "conversations": 0}


def test_the_mairies_copy_of_an_old_targeted_message_loses_its_text_not_its_figures(
    cadaujac, jeanne_resident, make_user
):
    from communities.models import StaffRole
    from communities.services import staff_role_grant
    from messaging.models import OfficialSend
    from messaging.official import official_send

    staff = make_user("diffusion@cadaujac.test", first_name="Diffusion")
    staff_role_grant(user=staff, commune=cadaujac, role=StaffRole.BROADCASTER)
    send = official_send(author=staff, commune=cadaujac, target="commune", text="Vieille note")
    _age(OfficialSend.objects.all(), 400)
    _age(Message.objects.all(), 400)
    _age(Conversation.objects.all(), 400)
    messages_retention_apply()
    send.refresh_from_db()
    assert send.text == ""
    assert send.reach["web"] == 1
    assert not Message.objects.filter(text="Vieille note").exists()


def test_erasure_removes_the_members_words_and_participations(
    client, sign_in, conversation, jeanne_resident, paul_neighbour
):
    member_block(blocker=jeanne_resident, blocked=paul_neighbour)
    account_erase(user=jeanne_resident)
    assert not Message.objects.filter(text="Message de Jeanne").exists()
    erased = Message.objects.get(conversation=conversation, author=None)
    assert erased.text == ""
    assert not Participant.objects.filter(user_id=jeanne_resident.pk).exists()
    assert not Block.objects.exists()
    sign_in(client, paul_neighbour)
    page = client.get(f"/messages/{conversation.pk}/", HTTP_HOST=CADAUJAC_HOST).content.decode()
    assert "ancien membre" in page
    assert "Message de Jeanne" not in page
    assert "Jeanne" not in page
    assert "Réponse de Paul" in page


def test_export_lists_the_members_conversations_and_own_messages_only(
    conversation, jeanne_resident
):
    data = account_export_data(user=jeanne_resident)["messaging"]
    json.dumps(data)
    assert [c["id"] for c in data["conversations"]] == [conversation.pk]
    assert data["conversations"][0]["participants"] == ["Jeanne Lafargue", "Paul Darrigade"]
    assert [m["text"] for m in data["messages_written"]] == ["Message de Jeanne"]


def test_a_reported_message_shows_moderators_that_message_alone_and_upholding_hides_it(
    client, sign_in, conversation, jeanne_resident, paul_neighbour, marc_moderator, rene_referent
):
    jeanne_message = Message.objects.get(text="Message de Jeanne")
    sign_in(client, paul_neighbour)
    response = client.post(
        f"/messages/{conversation.pk}/messages/{jeanne_message.pk}/signaler/",
        {"reason": "Propos insultants"},
        HTTP_HOST=CADAUJAC_HOST,
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.commune_id == conversation.commune_id
    assert report.reporter == paul_neighbour
    reportable = reportable_for(jeanne_message)
    summary = reportable.summary(jeanne_message)
    assert summary["text"] == "Message de Jeanne"
    assert "Réponse de Paul" not in json.dumps(summary, ensure_ascii=False)
    assert summary["url"] == ""
    # Outsiders to the conversation cannot report it; nor can its author.
    with pytest.raises(PermissionDenied):
        report_create(content=jeanne_message, reporter=rene_referent, reason="x")
    with pytest.raises(ValidationError):
        report_create(content=jeanne_message, reporter=jeanne_resident, reason="x")
    reportable.uphold(jeanne_message, by=marc_moderator, note="Insultes")
    page = client.get(f"/messages/{conversation.pk}/", HTTP_HOST=CADAUJAC_HOST).content.decode()
    assert "Message de Jeanne" not in page
    assert "masqué par la modération" in page
    assert Report.objects.count() == 1
