"""The mairie's targeted messages: one official conversation per resident, SMS for the rest.

A targeted message is never a group: each recipient gets their own conversation with the
mairie, so that a resident's reply reaches the mairie alone. Members who take part by SMS
alone have no inbox: they get the text by SMS from the commune's sender name (unless they
answered STOP), during the legal hours for non-urgent SMS, through the outbox
(``notifications``): one delivery per member written before anything is sent, paced,
retried, reconciled with the provider, recovered by the sweep, at most once per member.
What reached whom, on which channel, is counted once at sending and kept on the
``OfficialSend``; the SMS' progress and call list are the outbox's.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from accounts.models import User
from communities.models import Commune, CommunityRole, Membership, MembershipStatus
from communities.sms_budget import sms_budget_refusal
from communities.wording import of_place
from notifications.cost import sms_cost_estimate
from notifications.models import (
    Channel,
    Delivery,
    OutboxMessage,
    PushSubscription,
    SmsStatus,
)
from notifications.progress import OutboxProgress, deliveries_progress, unreached
from notifications.quiet_hours import quiet_hours_end
from notifications.reachability import sms_reachable_q
from notifications.services import FANOUT_PUBLISH_RETRY, outbox_message_dispatch
from notifications.sms.segments import to_gsm7
from notifications.sms.service import MAX_BODY_CHARACTERS

from .models import (
    MAX_SUBJECT,
    Conversation,
    ConversationKind,
    Message,
    OfficialSend,
    OfficialTarget,
    Participant,
)
from .permissions import official_communes, sms_only_q
from .services import subject_absence_refuse, text_clean
from .unread import unread_forget

logger = logging.getLogger(__name__)

CONVERSATIONS_BATCH = 2000
CONVERSATIONS_SWEEP_AFTER = timedelta(seconds=60)
# The outbox's name for these messages (``OutboxMessage.purpose``; ``messaging.outbox``).
OFFICIAL_PURPOSE = "official"


def official_recipients(*, commune: Commune, target: str, communities=(), members=()):
    """The verified, active members of ``commune`` a targeted message reaches."""
    memberships = Membership.objects.filter(
        community__commune=commune, status=MembershipStatus.VERIFIED, user__is_active=True
    )
    if target == OfficialTarget.COMMUNITIES:
        memberships = memberships.filter(community__in=[getattr(c, "pk", c) for c in communities])
    elif target == OfficialTarget.REFERENTS:
        memberships = memberships.filter(role=CommunityRole.REFERENT)
    elif target == OfficialTarget.MEMBERS:
        memberships = memberships.filter(user__in=[getattr(m, "pk", m) for m in members])
    elif target != OfficialTarget.COMMUNE:
        raise ValidationError({"target": _("Choisissez à qui écrire.")})
    return User.objects.filter(pk__in=memberships.values("user"))


def official_sms_text(*, commune: Commune, subject: str, text: str, replies_allowed: bool) -> str:
    """The SMS wording: from the mairie, the text, how to answer, and the STOP mention.

    An SMS answer would be read as an alert by the platform's number: say so, and give the
    mairie's phone when it has one. Cut to fit the provider's limit.
    """
    if replies_allowed and commune.phone:
        tail = _("Pour répondre, appelez la mairie au %(phone)s, pas par SMS.") % {
            "phone": commune.phone
        }
    else:
        tail = _("Ne répondez pas à ce SMS.")
    tail = f" {tail} " + _("(STOP au numéro relais)")
    head = to_gsm7(_("Mairie %(of_commune)s : ") % {"of_commune": of_place(commune.name)})
    # The platform's own words stay GSM-7 (a dash "—" or "…" alone bills UCS-2); the
    # mairie's subject and text are kept as written.
    body = f"{subject} - {text}" if subject else text
    room = MAX_BODY_CHARACTERS - len(head) - len(tail)
    if len(body) > room:
        body = body[: room - 3].rstrip() + "..."
    return f"{head}{body}{tail}"


def _target_label(*, target, communities, members) -> str:
    if target == OfficialTarget.COMMUNITIES:
        return ", ".join(c.name for c in communities)
    if target == OfficialTarget.MEMBERS:
        return ", ".join(m.get_full_name() for m in members)[:500]
    return str(OfficialTarget(target).label)


@transaction.atomic
def official_send(
    *,
    author,
    commune: Commune,
    target: str,
    text: str,
    subject: str = "",
    communities=(),
    members=(),
    replies_allowed: bool = True,
    without_sms: bool = False,
) -> OfficialSend:
    """Send the mairie's message to the targeted members of ``commune``.

    Only for holders of the broadcaster role of that commune (PermissionDenied otherwise).
    Chosen communities and members must belong to the commune; an empty audience is
    refused. Web members get an official conversation (e-mail and push follow through the
    batched notifications, per their settings); SMS-only members an SMS through the outbox,
    fanned out after commit and sent at once, or at 8h when written in the quiet hours.

    A targeted message is never urgent: when its SMS would take the month over the
    commune's SMS budget it is refused, nothing written
    (``communities.sms_budget.sms_budget_refusal``); sent ``without_sms``, the members who
    take part by SMS alone are not reached (counted unreachable).
    """
    if not official_communes(user=author).filter(pk=commune.pk).exists():
        raise PermissionDenied(_("Vous n'écrivez pas au nom de cette commune."))
    text = text_clean(text)
    subject = " ".join((subject or "").split())[:MAX_SUBJECT]
    subject_absence_refuse(subject)
    communities = list(communities)
    members = list(members)
    if any(c.commune_id != commune.pk for c in communities):
        raise ValidationError({"communities": _("Ces communautés ne sont pas de la commune.")})
    if target == OfficialTarget.COMMUNITIES and not communities:
        raise ValidationError({"communities": _("Cochez au moins une communauté.")})
    if target == OfficialTarget.MEMBERS:
        if not members:
            raise ValidationError({"members": _("Choisissez au moins un membre.")})
        found = official_recipients(commune=commune, target=target, members=members).count()
        if found != len({m.pk for m in members}):
            raise ValidationError(
                {"members": _("Ces personnes ne sont pas toutes membres vérifiés de la commune.")}
            )
    recipients = official_recipients(
        commune=commune, target=target, communities=communities, members=members
    ).exclude(pk=author.pk)
    # Counted by the database: a message to a whole town of 100,000 loaded every member
    # (7 s while the mairie waited).
    reach = _reach_count(recipients, without_sms=without_sms)
    if not reach["web"] + reach["sms"] + reach["unreachable"]:
        raise ValidationError(_("Personne ne correspond à ces destinataires."))
    sms_text = official_sms_text(
        commune=commune, subject=subject, text=text, replies_allowed=replies_allowed
    )
    if reach["sms"]:
        cost = sms_cost_estimate(text=sms_text, recipients=reach["sms"]).total
        refusal = sms_budget_refusal(commune=commune, cost=cost)
        if refusal:
            raise ValidationError(refusal, code="sms_budget")
    now = timezone.now()
    send = OfficialSend.objects.create(
        commune=commune,
        sent_by=author,
        target=target,
        target_label=_target_label(target=target, communities=communities, members=members),
        subject=subject,
        text=text,
        replies_allowed=replies_allowed,
        sms_not_before=quiet_hours_end(now=now),
    )
    if reach["web"] and reach["web"] <= settings.OFFICIAL_INLINE_CONVERSATIONS:
        web = list(recipients.exclude(sms_only_q()).order_by("pk").values_list("pk", flat=True))
        _conversations_write(send=send, user_ids=web, now=now)
    elif reach["web"]:
        # A whole town: the conversations are written after the answer (a worker, or
        # the sweep if the broker is down), not while the mairie waits.
        send.conversations_pending = True
        send.save(update_fields=["conversations_pending"])
        transaction.on_commit(lambda: _conversations_task_publish(send.pk))

    # SMS-only members: one outbox message, whose deliveries the outbox writes after commit
    # from the same audience (``official_sms_audience``) and sends when the hour allows.
    send.audience = {
        "communities": [c.pk for c in communities],
        "members": sorted({m.pk for m in members}),
    }
    if reach["sms"]:
        send.outbox_message = OutboxMessage.objects.create(
            purpose=OFFICIAL_PURPOSE,
            sender_name=commune.sms_sender_name,
            payer=commune,
            # The French wording, for the record; each SMS is worded in its member's language.
            text=sms_text,
            not_before=send.sms_not_before,
        )
        outbox_message_dispatch(message=send.outbox_message)
    send.reach = reach
    send.save(update_fields=["reach", "audience", "outbox_message"])
    return send


def _reach_count(recipients, *, without_sms: bool) -> dict[str, int]:
    """How many of ``recipients`` the message reaches on each channel, in one query.

    Web members (``web``) get the conversation, and an e-mail (``email``) or a notification
    (``push``) if their settings ask for it (a member without settings has the defaults:
    e-mail yes, notification no); SMS-only members an SMS when reachable by SMS (``sms``),
    else none (``unreachable``), as all of them when the message goes ``without_sms``.
    """
    web, by_sms = ~sms_only_q(), sms_only_q()
    push_device = Exists(PushSubscription.objects.filter(user=OuterRef("pk")))
    counts = recipients.aggregate(
        web_count=Count("pk", filter=web),
        email_count=Count(
            "pk",
            filter=web
            & Q(email__isnull=False)
            & ~Q(email="")
            & (Q(profile__news_by_email=True) | Q(profile__isnull=True)),
        ),
        push_count=Count("pk", filter=web & Q(profile__news_by_push=True) & Q(push_device)),
        by_sms_count=Count("pk", filter=by_sms),
        sms_count=Count("pk", filter=by_sms & sms_reachable_q()),
    )
    sms = 0 if without_sms else counts["sms_count"]
    return {
        "web": counts["web_count"],
        "email": counts["email_count"],
        "push": counts["push_count"],
        "sms": sms,
        "unreachable": counts["by_sms_count"] - sms,
    }


def _conversations_write(*, send: OfficialSend, user_ids, now) -> int:
    """One official conversation per member of ``user_ids`` (their ids only: a whole town's
    accounts are never loaded), each with the member, the mairie's side (waiting in the
    archive until a resident answers) and the mairie's message."""
    user_ids = list(user_ids)
    if not user_ids:
        return 0
    if connection.vendor == "postgresql":
        _conversations_write_set_based(send=send, user_ids=user_ids, now=now)
    else:
        _conversations_write_by_rows(send=send, user_ids=user_ids, now=now)
    unread_forget(user_pks=user_ids)
    return len(user_ids)


def _conversations_write_by_rows(*, send: OfficialSend, user_ids, now) -> None:
    author_id = send.sent_by_id
    conversations = Conversation.objects.bulk_create(
        [
            Conversation(
                commune_id=send.commune_id,
                subject=send.subject,
                kind=ConversationKind.MAIRIE,
                replies_allowed=send.replies_allowed,
                created_by_id=author_id,
                official=send,
                last_message_at=now,
            )
            for _user_id in user_ids
        ],
        batch_size=CONVERSATIONS_BATCH,
    )
    participants = []
    for conversation, user_id in zip(conversations, user_ids, strict=True):
        participants.append(Participant(conversation=conversation, user_id=user_id))
        participants.append(
            Participant(
                conversation=conversation,
                user_id=author_id,
                for_mairie=True,
                last_read_at=now,
                archived_at=now,
            )
        )
    Participant.objects.bulk_create(participants, batch_size=CONVERSATIONS_BATCH)
    Message.objects.bulk_create(
        [
            Message(conversation=c, author_id=author_id, from_mairie=True, text=send.text)
            for c in conversations
        ],
        batch_size=CONVERSATIONS_BATCH,
    )


def _conversations_write_set_based(*, send: OfficialSend, user_ids, now) -> None:
    """``_conversations_write_by_rows`` on PostgreSQL, in three statements over arrays of
    ids: a whole town's rows built one by one kept a worker process busy for 15 seconds
    while the other sent the SMS (33,334 conversations, rolled-back trial: 4.9 s of CPU
    with the accounts loaded → 0.5 s)."""
    conversation, participant, message = (
        Conversation._meta.db_table,
        Participant._meta.db_table,
        Message._meta.db_table,
    )
    values = {
        "commune": send.commune_id,
        "subject": send.subject,
        "kind": ConversationKind.MAIRIE,
        "replies": send.replies_allowed,
        "author": send.sent_by_id,
        "send": send.pk,
        "text": send.text,
        "now": now,
        "written": timezone.now(),  # as the ORM's auto_now_add writes it
        "count": len(user_ids),
        "users": user_ids,
    }
    with connection.cursor() as cursor:
        # The conversations are alike: which member gets which one does not matter.
        cursor.execute(
            f"""
            INSERT INTO {conversation} (commune_id, subject, kind, replies_allowed,
                created_by_id, official_id, created_at, last_message_at)
            SELECT %(commune)s, %(subject)s, %(kind)s, %(replies)s, %(author)s, %(send)s,
                %(written)s, %(now)s
            FROM generate_series(1, %(count)s)
            RETURNING id
            """,  # noqa: S608 (table names from the models, values as parameters)
            values,
        )
        values["conversations"] = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"""
            INSERT INTO {participant} (conversation_id, user_id, for_mairie, joined_at,
                last_read_at, archived_at, notified_message_id)
            SELECT side.conversation_id, side.user_id, FALSE, %(written)s, NULL::timestamptz,
                NULL::timestamptz, 0
            FROM unnest(%(conversations)s::bigint[], %(users)s::bigint[])
                AS side (conversation_id, user_id)
            UNION ALL
            SELECT side.conversation_id, %(author)s, TRUE, %(written)s, %(now)s, %(now)s, 0
            FROM unnest(%(conversations)s::bigint[]) AS side (conversation_id)
            """,  # noqa: S608 (table names from the models, values as parameters)
            values,
        )
        cursor.execute(
            f"""
            INSERT INTO {message} (conversation_id, author_id, from_mairie, text, created_at)
            SELECT side.conversation_id, %(author)s, TRUE, %(text)s, %(written)s
            FROM unnest(%(conversations)s::bigint[]) AS side (conversation_id)
            """,  # noqa: S608 (table names from the models, values as parameters)
            values,
        )


def _conversations_task_publish(send_id: int) -> None:
    try:
        official_conversations_task.apply_async(args=[send_id], retry_policy=FANOUT_PUBLISH_RETRY)
    except OperationalError:  # broker down: the sweep writes them a minute later
        logger.warning("official send %s: conversations left to the sweep", send_id, exc_info=True)


@transaction.atomic
def official_conversations_complete(*, send_id: int) -> int:
    """Write the conversations a large targeted message still owes its web members.

    Idempotent and exclusive: the send is locked (another worker or the sweep skips it),
    members who already have their conversation are left out, and everything is written
    in one transaction, so a worker killed midway leaves the send pending for the sweep.
    Returns how many conversations were written.
    """
    send = (
        OfficialSend.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk=send_id, conversations_pending=True)
        .select_related("sent_by")
        .first()
    )
    if send is None:
        return 0
    audience = send.audience or {}
    user_ids = list(
        official_recipients(
            commune=send.commune,
            target=send.target,
            communities=audience.get("communities", []),
            members=audience.get("members", []),
        )
        .exclude(sms_only_q())
        .exclude(pk=send.sent_by_id or 0)
        .exclude(participations__conversation__official=send)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    written = _conversations_write(send=send, user_ids=user_ids, now=send.created_at)
    send.conversations_pending = False
    send.save(update_fields=["conversations_pending"])
    return written


@shared_task(name="messaging.official_conversations", acks_late=True)
def official_conversations_task(send_id: int) -> int:
    """The conversations of a mairie's message to a whole town, written after sending."""
    return official_conversations_complete(send_id=send_id)


def official_conversations_sweep(*, now=None) -> int:
    """Complete the sends whose conversations were not written a minute after sending
    (broker down when the mairie sent, worker killed); returns how many sends."""
    now = now or timezone.now()
    due = OfficialSend.objects.filter(
        conversations_pending=True, created_at__lt=now - CONVERSATIONS_SWEEP_AFTER
    ).values_list("pk", flat=True)
    return sum(1 for pk in due if official_conversations_complete(send_id=pk))


def official_sms_audience(*, send: OfficialSend):
    """The members a targeted message's SMS are for: those it aimed at who take part by SMS
    alone, its sender left out (whether each is reachable is the outbox's rule)."""
    audience = send.audience or {}
    return (
        official_recipients(
            commune=send.commune,
            target=send.target,
            communities=audience.get("communities", []),
            members=audience.get("members", []),
        )
        .filter(sms_only_q())
        .exclude(pk=send.sent_by_id or 0)
    )


def _outbox_message(send: OfficialSend) -> OutboxMessage | None:
    # Read afresh: the outbox's workers move it on (fanned out) after the send was loaded.
    return OutboxMessage.objects.filter(pk=send.outbox_message_id).first()


def official_progress(*, send: OfficialSend, now=None) -> OutboxProgress | None:
    """Where the SMS of ``send`` stand, per status, with the last one's estimated time."""
    message = _outbox_message(send)
    if message is None:
        return None
    return deliveries_progress(
        messages=[(message.pk, message.fanned_out_at, message.not_before)],
        preparing=message.fanned_out_at is None,
        now=now,
    )


def official_unreached(*, send: OfficialSend):
    """The SMS-only members aimed at whom the message did not reach (no phone, STOP, every
    try failed), annotated for ``notifications.progress.unreachable_reason``; empty until
    the outbox has written the deliveries."""
    message = _outbox_message(send)
    if message is None or message.fanned_out_at is None:
        return User.objects.none()
    return (
        unreached(official_sms_audience(send=send), message_id=message.pk, user_field="pk")
        .select_related("profile")
        .order_by("last_name", "first_name", "pk")
    )


def official_sms_counts(*, send: OfficialSend) -> dict:
    """The SMS of a targeted message by status (queued, sent, delivered, failed…)."""
    counts = dict.fromkeys(SmsStatus.values, 0)
    if send.outbox_message_id:
        rows = (
            Delivery.objects.filter(message_id=send.outbox_message_id, channel=Channel.SMS)
            .values("status")
            .annotate(n=Count("*"))
            .order_by()
        )
        for row in rows:
            counts[row["status"]] += row["n"]
    for status in send.sms_messages.values_list("status", flat=True):
        counts[status] += 1
    return counts


def official_replies(*, send: OfficialSend):
    """The official conversations of ``send`` in which a resident answered."""
    return (
        Conversation.objects.filter(official=send)
        .filter(messages__from_mairie=False)
        .distinct()
        .prefetch_related("participants__user")
    )
