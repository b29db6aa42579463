"""A private message as reportable content: moderators see that message alone.

Visible to (and so reportable by) the conversation's current participants; upholding a
report hides the message from everyone, in place ("masqué par la modération").
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from moderation.reportables import Reportable, reportable_register

from .models import Message, Participant
from .selectors import message_author_label
from .unread import unread_forget_conversation


def _visible_to(message: Message, user) -> bool:
    if not user.is_authenticated or message.hidden_at is not None:
        return False
    return Participant.objects.filter(
        conversation_id=message.conversation_id, user=user, left_at=None
    ).exists()


def _summary(message: Message) -> dict:
    # The reported message only: never its conversation, its subject or its participants.
    return {
        "title": _("Message privé de %(author)s")
        % {"author": message_author_label(message=message, conversation=message.conversation)},
        "text": message.text,
        "url": "",
        "kind": _("Message privé"),
    }


def _uphold(message: Message, *, by, note: str = "") -> None:
    Message.objects.filter(pk=message.pk, hidden_at=None).update(hidden_at=timezone.now())
    unread_forget_conversation(conversation_id=message.conversation_id)


reportable_register(
    Reportable(
        model=Message,
        visible_to=_visible_to,
        commune_id_of=lambda message: message.conversation.commune_id,
        author_of=lambda message: message.author,
        summary=_summary,
        uphold=_uphold,
    )
)
