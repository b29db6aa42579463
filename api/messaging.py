"""Conversations and messages over the API: ``messaging``'s selectors and services.

Every conversation is reached through the caller's own participation
(``participation_for``): a conversation one is not in answers 404 to everyone, staff and
the platform team included, exactly as an id that does not exist. Writes go through the
services of the messaging pages: who may write to whom, blocks, suspensions, rate limits.
"""

from datetime import datetime
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import AfterValidator

from messaging.models import MAX_SUBJECT, MAX_TEXT, Block, Message, Participant
from messaging.selectors import (
    ConversationRow,
    conversation_title,
    conversations_of,
    message_author_label,
    message_reportable,
    messages_of,
    other_participants,
    participation_for,
    reply_refusal,
)
from messaging.services import (
    MAX_RECIPIENTS,
    MessagingRateLimitError,
    blockable_by,
    conversation_archive,
    conversation_read,
    conversation_start,
    member_block,
    member_unblock,
    message_send,
)
from moderation.reportables import MAX_REASON, report_create

from .listing import etag_response
from .problems import Problem, problem_response

# An id as the database stores it: anything else is refused per field, never sent to it.
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


def _no_nul(text: str) -> str:
    # The site's forms refuse it too (Django's ProhibitNullCharactersValidator); PostgreSQL
    # cannot store it.
    if "\x00" in text:
        raise ValueError("NUL")
    return text


Text = Annotated[str, AfterValidator(_no_nul)]

router = Router(tags=["Messagerie"])
blocks_router = Router(tags=["Messagerie"])


class Person(Schema):
    id: int
    name: str


class ConversationOut(Schema):
    id: int
    title: str
    subject: str
    official: bool = Field(..., description="Message de la mairie.")
    participants: list[Person]
    unread: int
    last_text: str
    last_message_at: datetime | None
    archived: bool
    url: str


class ConversationList(Schema):
    items: list[ConversationOut]


class MessageOut(Schema):
    id: int
    author: str
    author_id: int | None
    mine: bool
    from_mairie: bool
    hidden: bool = Field(..., description="Masqué par la modération : son texte n'est plus lu.")
    text: str
    created_at: datetime
    reportable: bool


class ConversationDetailOut(Schema):
    id: int
    title: str
    subject: str
    official: bool
    participants: list[Person]
    archived: bool
    can_reply: bool
    cannot_reply: str = Field(..., description="Pourquoi le membre ne peut pas répondre.")
    messages: list[MessageOut]
    url: str


class ConversationIn(Schema):
    recipients: list[Id] = Field(..., description=f"{MAX_RECIPIENTS} membres au plus.")
    subject: Text = Field("", max_length=MAX_SUBJECT)
    text: Text = Field(..., max_length=MAX_TEXT)
    about: Text = Field(
        "",
        max_length=100,
        description=(
            "Ce dont il s'agit, par exemple `gazette:42` pour écrire à l'auteur d'une annonce."
        ),
    )


class MessageIn(Schema):
    text: Text = Field(..., max_length=MAX_TEXT)


class ArchiveIn(Schema):
    archived: bool = True


class ArchiveOut(Schema):
    id: int
    archived: bool


class ReportIn(Schema):
    reason: Text = Field(..., max_length=MAX_REASON)


class Done(Schema):
    detail: str


class BlockIn(Schema):
    member_id: Id


def _people(participants) -> list[dict]:
    return [{"id": p.user_id, "name": p.user.get_full_name()} for p in participants]


def _row_data(row: ConversationRow) -> dict:
    conversation = row.conversation
    return {
        "id": conversation.pk,
        "title": row.title,
        "subject": conversation.subject,
        "official": conversation.is_official,
        "participants": _people(row.others),
        "unread": row.unread,
        "last_text": row.last_text,
        "last_message_at": conversation.last_message_at,
        "archived": row.participant.archived_at is not None,
        "url": reverse("messaging:conversation", kwargs={"pk": conversation.pk}),
    }


def _message_data(message: Message, *, conversation, user) -> dict:
    mine = message.author_id == user.pk
    hidden = message.hidden_at is not None
    return {
        "id": message.pk,
        "author": message_author_label(message=message, conversation=conversation),
        "author_id": None if message.from_mairie else message.author_id,
        "mine": mine,
        "from_mairie": message.from_mairie,
        "hidden": hidden,
        # A message hidden by moderation is read by nobody any more, as on its page.
        "text": "" if hidden else message.text,
        "created_at": message.created_at,
        "reportable": not mine and not hidden and not message.from_mairie and bool(message.text),
    }


def _participation(request, conversation_id: int) -> Participant:
    try:
        return participation_for(user=request.auth, conversation_id=conversation_id)
    except Participant.DoesNotExist:
        raise Http404 from None


def _detail(request, participant: Participant) -> dict:
    conversation = participant.conversation
    others = other_participants(participant=participant)
    neighbours = [p for p in others if not p.for_mairie]
    refusal = reply_refusal(participant=participant, others=others)
    return {
        "id": conversation.pk,
        "title": conversation_title(conversation=conversation, others=neighbours),
        "subject": conversation.subject,
        "official": conversation.is_official,
        "participants": _people(neighbours),
        "archived": participant.archived_at is not None,
        "can_reply": not refusal,
        "cannot_reply": refusal,
        "messages": [
            _message_data(message, conversation=conversation, user=request.auth)
            for message in messages_of(conversation=conversation, user=request.auth)
        ],
        "url": reverse("messaging:conversation", kwargs={"pk": conversation.pk}),
    }


def _too_many(refusal: MessagingRateLimitError):
    return problem_response(
        status=429, detail=" ".join(refusal.messages), headers={"Retry-After": "600"}
    )


@router.get(
    "/",
    response={200: ConversationList, 304: None},
    summary="Conversations",
    description=(
        "Les conversations du membre, la plus récente activité d'abord, avec le nombre de "
        "messages non lus ; `archived=true` pour les archives. `ETag` comme les autres listes."
    ),
)
def conversations_list(request, archived: bool = False):
    rows = conversations_of(user=request.auth, archived=archived)
    data = ConversationList(items=[_row_data(row) for row in rows])
    return etag_response(request, data.model_dump(mode="json"))


@router.post(
    "/",
    response={201: ConversationDetailOut, 403: Problem, 422: Problem, 429: Problem},
    summary="Écrire à des voisins",
    description=(
        "Commence une conversation avec un premier message, avec les règles du site : "
        "habitants vérifiés qui écrivent aux membres vérifiés de leur communauté (ou à "
        "l'auteur d'une annonce qu'ils lisent, avec `about`), pas de blocage, "
        f"{MAX_RECIPIENTS} destinataires au plus, quelques conversations par jour."
    ),
)
def conversations_start(request, payload: ConversationIn):
    try:
        conversation = conversation_start(
            author=request.auth,
            recipients=payload.recipients,
            text=payload.text,
            subject=payload.subject,
            about=payload.about,
        )
    except MessagingRateLimitError as refusal:
        return _too_many(refusal)
    participant = participation_for(user=request.auth, conversation_id=conversation.pk)
    return Status(201, _detail(request, participant))


@router.get(
    "/{int:conversation_id}",
    response={200: ConversationDetailOut, 404: Problem},
    summary="Une conversation, avec ses messages",
    description="La lire la marque comme lue, comme sur le site.",
)
def conversations_detail(request, conversation_id: int):
    participant = _participation(request, conversation_id)
    data = _detail(request, participant)
    conversation_read(participant=participant)
    return data


@router.post(
    "/{int:conversation_id}/messages",
    response={201: MessageOut, 404: Problem, 422: Problem, 429: Problem},
    summary="Répondre",
    description=(
        "Ajoute un message, avec les règles du site : pas de blocage entre les participants, "
        "habitant vérifié de la commune, réponses permises par la mairie, quelques messages "
        "par quart d'heure."
    ),
)
def conversations_reply(request, conversation_id: int, payload: MessageIn):
    participant = _participation(request, conversation_id)
    conversation = participant.conversation
    try:
        message = message_send(conversation=conversation, author=request.auth, text=payload.text)
    except PermissionDenied:
        raise Http404 from None
    except MessagingRateLimitError as refusal:
        return _too_many(refusal)
    return Status(201, _message_data(message, conversation=conversation, user=request.auth))


@router.post(
    "/{int:conversation_id}/archive",
    response={200: ArchiveOut, 404: Problem},
    summary="Archiver (ou désarchiver)",
    description="`archived: false` la remet dans la liste ; un nouveau message la fait revenir.",
)
def conversations_archive(request, conversation_id: int, payload: ArchiveIn):
    participant = _participation(request, conversation_id)
    conversation_archive(participant=participant, archived=payload.archived)
    return {"id": conversation_id, "archived": payload.archived}


@router.post(
    "/{int:conversation_id}/messages/{int:message_id}/report",
    response={201: Done, 404: Problem, 422: Problem},
    summary="Signaler un message",
    description=(
        "Seul ce message est montré aux modérateurs de la mairie, jamais le reste de la "
        "conversation. Une fois par message."
    ),
)
def conversations_report(request, conversation_id: int, message_id: int, payload: ReportIn):
    participant = _participation(request, conversation_id)
    try:
        message = message_reportable(participant=participant, message_id=message_id)
        report_create(content=message, reporter=request.auth, reason=payload.reason)
    except (Message.DoesNotExist, PermissionDenied):
        raise Http404 from None
    return Status(
        201, {"detail": _("Merci : les modérateurs de la mairie vont examiner ce message.")}
    )


class BlockOut(Schema):
    member_id: int
    name: str


@blocks_router.get("/", response=list[BlockOut], summary="Membres bloqués")
def blocks_list(request):
    blocks = Block.objects.filter(blocker=request.auth).select_related("blocked")
    return [
        {"member_id": block.blocked_id, "name": block.blocked.get_full_name()}
        for block in blocks.order_by("blocked__last_name", "blocked__first_name", "pk")
    ]


@blocks_router.post(
    "/",
    response={201: BlockOut, 404: Problem, 422: Problem},
    summary="Bloquer un membre",
    description=(
        "Ni lui ni vous ne pouvez plus vous écrire. Un membre de l'annuaire ou d'une de vos "
        "conversations."
    ),
)
def blocks_create(request, payload: BlockIn):
    blocked = get_object_or_404(blockable_by(user=request.auth), pk=payload.member_id)
    member_block(blocker=request.auth, blocked=blocked)
    return Status(201, {"member_id": blocked.pk, "name": blocked.get_full_name()})


@blocks_router.delete(
    "/{int:member_id}",
    response={204: None, 404: Problem},
    summary="Débloquer un membre",
)
def blocks_delete(request, member_id: int):
    block = get_object_or_404(Block, blocker=request.auth, blocked_id=member_id)
    member_unblock(blocker=request.auth, blocked=block.blocked)
    return HttpResponse(status=204)
