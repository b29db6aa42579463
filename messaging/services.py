"""Writes of neighbours' messaging: start, send, read, leave, archive, block.

Every refusal happens before anything is written: a message to someone outside one's
community, to someone who blocked you (or whom you blocked), in a conversation one is not
in, empty, too long, or beyond the rate limits raises and stores nothing. Notifications
are not sent here: ``messaging.notify`` batches them from the rows (a periodic task).
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.absence import ABSENCE_REFUSED_PRIVATE, absence_dates_refuse
from accounts.models import User
from accounts.profiles import DirectoryViewer, members_visible_to
from communities.contact_reasons import contact_reason
from moderation.suspensions import member_suspension_refuse

from .models import (
    MAX_SUBJECT,
    MAX_TEXT,
    Block,
    Conversation,
    ConversationKind,
    Message,
    Participant,
)
from .permissions import messaging_membership, sms_only_q
from .selectors import blocked_between
from .unread import unread_forget, unread_forget_conversation

MAX_RECIPIENTS = 20


class MessagingRateLimitError(ValidationError):
    """Too many messages or new conversations for now: the API answers it ``429``."""


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def text_clean(text: str | None) -> str:
    """The message as it will be stored: trimmed, not empty, at most 2,000 characters."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Écrivez votre message avant de l'envoyer.")})
    if len(text) > MAX_TEXT:
        raise ValidationError(
            {
                "text": _("Votre message dépasse %(max)d caractères (il en compte %(count)d).")
                % {"max": MAX_TEXT, "count": len(text)}
            }
        )
    absence_dates_refuse(text, field="text", message=ABSENCE_REFUSED_PRIVATE)
    return text


def subject_absence_refuse(subject: str) -> None:
    """The absence-dates guard on a conversation's or an official message's subject."""
    absence_dates_refuse(subject, field="subject", message=ABSENCE_REFUSED_PRIVATE)


def recipients_pickable(*, author, about: str = "", viewer=None):
    """Who ``author`` may start a conversation with: the verified members of their own
    community they can see in the directory, who sign in (not SMS-only), and with no block
    between them. Empty for anyone who is not a verified resident taking part online
    (``messaging_membership``'s rule).

    ``about`` names what the conversation is about (``"gazette:42"``, see
    ``communities.contact_reasons``): the people that reason lets ``author`` write to (a post's
    author, for a reader of the post) are added, under the same conditions. ``viewer`` is
    the author as a page already read them (``accounts.profiles.directory_viewer``)."""
    view = DirectoryViewer.of(viewer or author)
    if view.community_id is None or author.is_sms_only:
        return User.objects.none()
    blocks = Block.objects.filter(Q(blocker=author) | Q(blocked=author))
    reachable = members_visible_to(viewer=view, community=view.community_id)
    reason = contact_reason(viewer=author, about=about) if about else None
    if reason is not None:
        reachable = User.objects.filter(
            Q(pk__in=reachable.values("pk")) | Q(pk__in=reason.recipients.values("pk"))
        )
    return (
        reachable.exclude(pk=author.pk)
        .exclude(sms_only_q())
        .exclude(pk__in=blocks.filter(blocker=author).values("blocked"))
        .exclude(pk__in=blocks.filter(blocked=author).values("blocker"))
    )


def recipients_writable(*, author, member_ids, viewer=None) -> set[int]:
    """Which of ``member_ids`` ``author`` may start a conversation with (a page of the
    directory's "Écrire" links), by ``recipients_pickable``'s rule, in one query."""
    pickable = recipients_pickable(author=author, viewer=viewer)
    return set(pickable.filter(pk__in=list(member_ids)).values_list("pk", flat=True))


def _lock_author(author) -> None:
    # Rate limits count rows: serialise one member's writes so two tabs cannot both pass.
    User.objects.select_for_update().filter(pk=author.pk).first()


def _check_message_rate(author, now) -> None:
    limit = _limit("MESSAGE_RATE_LIMIT", 30)
    window = timedelta(seconds=_limit("MESSAGE_RATE_WINDOW_SECONDS", 600))
    recent = Message.objects.filter(author=author, created_at__gte=now - window).count()
    if recent >= limit:
        raise MessagingRateLimitError(
            _(
                "Vous avez envoyé %(limit)d messages en %(minutes)d minutes : patientez un peu "
                "avant d'en écrire d'autres."
            )
            % {"limit": limit, "minutes": window.total_seconds() // 60}
        )


def _check_conversation_rate(author, now) -> None:
    limit = _limit("CONVERSATION_RATE_LIMIT", 10)
    recent = Conversation.objects.filter(
        created_by=author, kind=ConversationKind.NEIGHBOURS, created_at__gte=now - timedelta(days=1)
    ).count()
    if recent >= limit:
        raise MessagingRateLimitError(
            _(
                "Vous avez commencé %(limit)d conversations en 24 heures : c'est le maximum. "
                "Répondez dans une conversation existante ou réessayez demain."
            )
            % {"limit": limit}
        )


def _message_add(*, conversation: Conversation, author, text: str, now, from_mairie=False):
    message = Message.objects.create(
        conversation=conversation, author=author, text=text, from_mairie=from_mairie
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=message.created_at)
    conversation.last_message_at = message.created_at
    # The writer has read what they answered; for the others it comes back from the archive.
    Participant.objects.filter(conversation=conversation, user=author).update(
        last_read_at=message.created_at
    )
    Participant.objects.filter(conversation=conversation, left_at=None).exclude(user=author).update(
        archived_at=None
    )
    unread_forget_conversation(conversation_id=conversation.pk)
    return message


@transaction.atomic
def conversation_start(
    *, author, recipients, text: str, subject: str = "", about: str = ""
) -> Conversation:
    """Start a conversation between ``author`` and ``recipients`` with a first message.

    Only verified residents who sign in, writing to verified members of their own community
    (see ``recipients_pickable``), or to whom ``about`` lets them write; at most 20
    recipients; no block in either direction; 10 new conversations a day and the message
    rate limit per member.
    """
    membership = messaging_membership(user=author)
    if membership is None:
        raise PermissionDenied(
            _("La messagerie entre voisins est réservée aux habitants vérifiés.")
        )
    member_suspension_refuse(user=author, commune=membership.community.commune)
    text = text_clean(text)
    subject = " ".join((subject or "").split())
    if len(subject) > MAX_SUBJECT:
        raise ValidationError(
            {"subject": _("L'objet dépasse %(max)d caractères.") % {"max": MAX_SUBJECT}}
        )
    subject_absence_refuse(subject)
    ids = {getattr(r, "pk", r) for r in recipients} - {author.pk}
    if not ids:
        raise ValidationError({"recipients": _("Choisissez au moins un voisin.")})
    if len(ids) > MAX_RECIPIENTS:
        raise ValidationError(
            {"recipients": _("%(max)d destinataires au plus.") % {"max": MAX_RECIPIENTS}}
        )
    blocked = blocked_between(user=author, others=ids)
    if blocked:
        raise ValidationError(
            {
                "recipients": _(
                    "Vous ne pouvez pas écrire à un voisin qui vous a bloqué "
                    "ou que vous avez bloqué."
                )
            }
        )
    allowed = set(
        recipients_pickable(author=author, about=about)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    if allowed != ids:
        raise ValidationError(
            {
                "recipients": _(
                    "Vous ne pouvez écrire qu'aux membres vérifiés de votre communauté qui "
                    "utilisent le site (pas à ceux qui participent par SMS seulement)."
                )
            }
        )
    now = timezone.now()
    _lock_author(author)
    _check_conversation_rate(author, now)
    _check_message_rate(author, now)
    conversation = Conversation.objects.create(
        commune=membership.community.commune,
        subject=subject,
        kind=ConversationKind.NEIGHBOURS,
        created_by=author,
    )
    Participant.objects.bulk_create(
        [Participant(conversation=conversation, user=author, last_read_at=now)]
        + [Participant(conversation=conversation, user_id=pk) for pk in sorted(ids)]
    )
    _message_add(conversation=conversation, author=author, text=text, now=now)
    return conversation


@transaction.atomic
def message_send(*, conversation: Conversation, author, text: str) -> Message:
    """Add ``author``'s message to ``conversation``.

    Refused (PermissionDenied: answer 404) when they are not a current participant;
    refused with a reason when replies are closed, when nobody else is left, when a block
    stands between them and another participant, when they are no longer a verified member
    of the commune (neighbours' conversations), or beyond the rate limit.
    """
    participant = (
        Participant.objects.select_for_update()
        .filter(conversation=conversation, user=author, left_at=None)
        .first()
    )
    if participant is None or not author.is_active:
        raise PermissionDenied(_("Vous ne participez pas à cette conversation."))
    text = text_clean(text)
    if conversation.is_official:
        if not participant.for_mairie and not conversation.replies_allowed:
            raise ValidationError(_("La mairie n'attend pas de réponse à ce message."))
    else:
        membership = messaging_membership(user=author)
        if membership is None or membership.community.commune_id != conversation.commune_id:
            raise ValidationError(
                _("Seuls les habitants vérifiés de la commune peuvent écrire ici.")
            )
        # A suspended member may still answer their mairie, not write to neighbours.
        member_suspension_refuse(user=author, commune=membership.community.commune)
    others = list(
        Participant.objects.filter(conversation=conversation, left_at=None)
        .exclude(user=author)
        .values_list("user_id", flat=True)
    )
    if not others:
        raise ValidationError(_("Plus personne d'autre ne participe à cette conversation."))
    if not conversation.is_official and blocked_between(user=author, others=others):
        raise ValidationError(
            _(
                "Un blocage existe entre vous et un participant : vous ne pouvez plus écrire "
                "dans cette conversation."
            )
        )
    now = timezone.now()
    _lock_author(author)
    _check_message_rate(author, now)
    return _message_add(
        conversation=conversation,
        author=author,
        text=text,
        now=now,
        from_mairie=participant.for_mairie,
    )


def conversation_read(*, participant: Participant, until=None) -> None:
    """Mark the conversation read up to ``until`` (now): it never goes back in time."""
    until = until or timezone.now()
    Participant.objects.filter(pk=participant.pk).filter(
        Q(last_read_at__isnull=True) | Q(last_read_at__lt=until)
    ).update(last_read_at=until)
    participant.last_read_at = until
    unread_forget(user_pks=[participant.user_id])


def conversation_leave(*, participant: Participant) -> None:
    """Leave for good: the conversation disappears from the member's list, and nobody can
    reach them through it again. The others see their earlier messages still."""
    Participant.objects.filter(pk=participant.pk, left_at=None).update(left_at=timezone.now())
    unread_forget(user_pks=[participant.user_id])


def conversation_archive(*, participant: Participant, archived: bool = True) -> None:
    """Move out of (or back into) the main list; a new message brings it back."""
    Participant.objects.filter(pk=participant.pk).update(
        archived_at=timezone.now() if archived else None
    )
    unread_forget(user_pks=[participant.user_id])  # their list changed


def member_block(*, blocker, blocked) -> Block:
    """``blocked`` can no longer write to ``blocker`` (nor the reverse), anywhere."""
    if blocker.pk == blocked.pk:
        raise ValidationError(_("Vous ne pouvez pas vous bloquer vous-même."))
    block, _created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    return block


def member_unblock(*, blocker, blocked) -> None:
    Block.objects.filter(blocker=blocker, blocked=blocked).delete()


def blockable_by(*, user):
    """Whom ``user`` may block: members they can see, and anyone sharing a conversation."""
    shared = Participant.objects.filter(
        conversation__participants__user=user, for_mairie=False
    ).values("user")
    return User.objects.filter(
        Q(pk__in=members_visible_to(viewer=user).values("pk")) | Q(pk__in=shared)
    ).exclude(pk=user.pk)
