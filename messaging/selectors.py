"""Reads of conversations: only ever through the participant's own row.

``conversations_of`` and ``conversation_for`` start from ``Participant`` rows of the
viewer, so that a conversation one is not in (or has left) does not exist for them: staff,
moderators and the platform team included.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import (
    Count,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from communities.wording import mairie_of, of_place

from .models import Block, Conversation, Message, Participant
from .permissions import messaging_membership

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def unread_messages(*, user_field: str, read_field: str) -> QuerySet[Message]:
    """Messages of the outer participant's conversation they have not read yet."""
    return Message.objects.filter(
        conversation=OuterRef("conversation"),
        hidden_at=None,
        created_at__gt=Coalesce(OuterRef(read_field), Value(EPOCH), output_field=DateTimeField()),
    ).filter(Q(author__isnull=True) | ~Q(author=OuterRef(user_field)))


@dataclass
class ConversationRow:
    conversation: Conversation
    participant: Participant
    unread: int
    last_text: str
    others: list

    @property
    def title(self) -> str:
        return conversation_title(conversation=self.conversation, others=self.others)


def conversation_title(*, conversation: Conversation, others) -> str:
    if conversation.subject:
        return conversation.subject
    if conversation.is_official:
        return _("Message de la mairie %(of_commune)s") % {
            "of_commune": of_place(conversation.commune.name)
        }
    names = [p.user.get_full_name() for p in others]
    return ", ".join(names) or _("Conversation sans autre participant")


_PARTICIPANT_FIELDS = ("conversation_id", "user_id", "for_mairie", "left_at")


def conversations_of(*, user, archived: bool = False) -> list[ConversationRow]:
    """The member's conversations, newest activity first, each with its unread count.

    Three queries whatever the number of conversations: the participations with their
    counts and last text, the other participants, and nothing per row.
    """
    unread = (
        unread_messages(user_field="user", read_field="last_read_at")
        .order_by()
        .values("conversation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last_text = (
        Message.objects.filter(conversation=OuterRef("conversation"), hidden_at=None)
        .order_by("-pk")
        .values("text")[:1]
    )
    # Of the others, only what lists show (their names): rows may be kept in the cache.
    others = (
        Participant.objects.filter(left_at=None)
        .select_related("user")
        .only(*_PARTICIPANT_FIELDS, "user__first_name", "user__last_name")
    )
    rows = (
        Participant.objects.filter(user=user, left_at=None, archived_at__isnull=not archived)
        .select_related("conversation__commune")
        .prefetch_related(Prefetch("conversation__participants", queryset=others))
        .annotate(
            unread=Coalesce(Subquery(unread, output_field=IntegerField()), 0),
            last_text=Subquery(last_text),
        )
        .order_by(F("conversation__last_message_at").desc(nulls_last=True), "-conversation_id")
    )
    result = []
    for participant in rows:
        conversation = participant.conversation
        result.append(
            ConversationRow(
                conversation=conversation,
                participant=participant,
                unread=participant.unread,
                last_text=participant.last_text or "",
                others=[
                    p
                    for p in conversation.participants.all()
                    if p.user_id != user.pk and not p.for_mairie
                ],
            )
        )
    return result


def unread_total(*, user) -> int:
    """Unread messages across the member's conversations (archived ones included): one query."""
    if not user.is_authenticated:
        return 0
    return (
        Message.objects.filter(
            hidden_at=None,
            conversation__participants__user=user,
            conversation__participants__left_at=None,
            created_at__gt=Coalesce(
                F("conversation__participants__last_read_at"),
                Value(EPOCH),
                output_field=DateTimeField(),
            ),
        )
        .filter(Q(author__isnull=True) | ~Q(author=user))
        .count()
    )


def participation_for(*, user, conversation_id) -> Participant:
    """The member's own, current participation in a conversation.

    Raises ``Participant.DoesNotExist`` for a conversation they are not in, have left, or
    that does not exist: views answer 404 in every case, alike.
    """
    if not user.is_authenticated:
        raise Participant.DoesNotExist
    return Participant.objects.select_related("conversation__commune__site").get(
        user=user, conversation_id=conversation_id, left_at=None
    )


def messages_of(*, conversation: Conversation, user, after: int | None = None) -> list[Message]:
    """The conversation's messages, oldest first (only after ``after`` when given).

    Empty for anyone who is not a current participant.
    """
    if not Participant.objects.filter(conversation=conversation, user=user, left_at=None).exists():
        return []
    messages = Message.objects.filter(conversation=conversation).select_related("author")
    if after is not None:
        messages = messages.filter(pk__gt=after)
    return list(messages.order_by("pk"))


def message_author_label(*, message: Message, conversation: Conversation) -> str:
    """How a message names its author: the mairie, a neighbour, or a former member."""
    if message.from_mairie:
        return mairie_of(conversation.commune.name)
    if message.author is None:
        return _("ancien membre")
    return message.author.get_full_name()


def blocked_between(*, user, others) -> set[int]:
    """Ids among ``others`` with a block between them and ``user``, in either direction."""
    ids = [getattr(o, "pk", o) for o in others]
    pairs = Block.objects.filter(
        Q(blocker=user, blocked__in=ids) | Q(blocked=user, blocker__in=ids)
    ).values_list("blocker_id", "blocked_id")
    return {blocker if blocked == user.pk else blocked for blocker, blocked in pairs}


def other_participants(*, participant: Participant) -> list[Participant]:
    """The conversation's other current participants (the mairie's seat included)."""
    return [
        p
        for p in participant.conversation.participants.filter(left_at=None).select_related("user")
        if p.user_id != participant.user_id
    ]


def reply_refusal(*, participant: Participant, others) -> str:
    """Why the member may not answer in this conversation, or "" when they may.

    Pages show the sentence instead of the form; the API answers it with its detail. The
    same checks as ``message_send``, read without writing anything.
    """
    conversation = participant.conversation
    if conversation.is_official and not participant.for_mairie:
        if not conversation.replies_allowed:
            return _("La mairie n'attend pas de réponse à ce message.")
        return ""
    if not others:
        return _("Plus personne d'autre ne participe à cette conversation.")
    if not conversation.is_official:
        user = participant.user
        if blocked_between(user=user, others=[p.user_id for p in others]):
            return _(
                "Un blocage existe entre vous et un participant : vous ne pouvez plus écrire ici."
            )
        membership = messaging_membership(user=user)
        if membership is None or membership.community.commune_id != conversation.commune_id:
            return _("Seuls les habitants vérifiés de la commune peuvent écrire ici.")
    return ""


def message_reportable(*, participant: Participant, message_id) -> Message:
    """A message of the participant's conversation they may report: shown (not hidden by
    moderation) and not their own. Raises ``Message.DoesNotExist`` otherwise: answer 404."""
    return (
        Message.objects.select_related("author", "conversation__commune")
        .exclude(author=participant.user)
        .get(pk=message_id, conversation=participant.conversation, hidden_at=None)
    )
