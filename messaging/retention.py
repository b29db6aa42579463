"""Retention of private messages: deleted after ``MESSAGE_RETENTION_DAYS`` (12 months).

Messages go for good (no statistics are kept from private words); a conversation left
without any message goes with them, and the mairie's copy of a targeted message loses its
text (whom it reached, on which channel, stays). Reports on deleted messages keep their decision but
lose their reason, which may quote the message.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from moderation.models import Report

from .models import Conversation, Message, OfficialSend


@transaction.atomic
def messages_retention_apply(*, now=None) -> dict[str, int]:
    """Delete messages older than the retention period, then empty conversations."""
    now = now or timezone.now()
    before = now - timedelta(days=int(getattr(settings, "MESSAGE_RETENTION_DAYS", 365)))
    old = Message.objects.filter(created_at__lt=before)
    ids = list(old.values_list("pk", flat=True))
    if ids:
        Report.objects.filter(
            content_type=ContentType.objects.get_for_model(Message), object_id__in=ids
        ).update(reason="", decision_note="")
    deleted = Message.objects.filter(pk__in=ids).delete()[1].get(Message._meta.label, 0)
    empty = Conversation.objects.filter(messages__isnull=True, created_at__lt=before)
    conversations = empty.delete()[1].get(Conversation._meta.label, 0)
    # The mairie's copy of a targeted message goes too; its reach figures stay.
    OfficialSend.objects.filter(created_at__lt=before).exclude(text="").update(text="")
    return {"messages": deleted, "conversations": conversations}
