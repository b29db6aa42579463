"""A member's messages in their GDPR export and erasure (``accounts.gdpr``'s registry).

Erasure removes the text of every message they wrote (the message stays as "ancien membre"
with no words, so that the others' conversation keeps its thread) and their participations
and blocks; export lists their conversations and the messages they wrote. The mairie's
targeted messages a staff member sent stay the commune's, with no sender (SET_NULL).
Registered on import (``MessagingConfig.ready``).
"""

from accounts.gdpr import ExportPart, GdprSection, gdpr_section_register

from .models import Block, Conversation, Message, Participant


def messages_erase(*, user) -> None:
    Message.objects.filter(author=user).update(text="", author=None)
    Participant.objects.filter(user=user).delete()
    Block.objects.filter(blocker=user).delete()
    Block.objects.filter(blocked=user).delete()
    Conversation.objects.filter(created_by=user).update(created_by=None)


def messages_export(*, user) -> ExportPart:
    """Their conversations (with whom, when) and the messages they wrote."""
    participations = (
        Participant.objects.filter(user=user)
        .select_related("conversation__commune")
        .prefetch_related("conversation__participants__user")
    )
    conversations = []
    for participant in participations.order_by("conversation_id"):
        conversation = participant.conversation
        conversations.append(
            {
                "id": conversation.pk,
                "commune": conversation.commune.name,
                "kind": conversation.kind,
                "subject": conversation.subject,
                "created_at": conversation.created_at.isoformat(),
                "participants": sorted(
                    p.user.get_full_name()
                    for p in conversation.participants.all()
                    if not p.for_mairie
                ),
                "left_at": participant.left_at.isoformat() if participant.left_at else None,
                "archived_at": (
                    participant.archived_at.isoformat() if participant.archived_at else None
                ),
            }
        )
    return ExportPart(
        data={
            "messaging": {
                "conversations": conversations,
                "messages_written": [
                    {
                        "conversation": message.conversation_id,
                        "created_at": message.created_at.isoformat(),
                        "text": message.text,
                        "hidden_by_moderation": message.hidden_at is not None,
                    }
                    for message in Message.objects.filter(author=user).order_by("pk")
                ],
                "members_blocked": [
                    block.blocked.get_full_name()
                    for block in Block.objects.filter(blocker=user).select_related("blocked")
                ],
            }
        }
    )


gdpr_section_register(
    GdprSection(
        name="messaging",
        covers=(
            "messaging.Conversation",
            "messaging.Participant",
            "messaging.Message",
            "messaging.Block",
            "messaging.OfficialSend",
        ),
        export=messages_export,
        erase=messages_erase,
    )
)
