"""Batched notifications of new messages: one e-mail and one push per member, not per message.

A periodic task (every minute) looks for members with messages they have not read, the
oldest of which waits for more than ``MESSAGE_NOTIFY_DELAY_SECONDS`` (2 minutes: someone
reading the conversation gets nothing), and who were not notified during the last
``MESSAGE_NOTIFY_INTERVAL_SECONDS``. Each gets one e-mail (``news_by_email``) summarising
every unread message since their last notification, and one push (``news_by_push``).
At night and on Sundays (``QUIET_HOURS``) nothing buzzes: members who take e-mail get their
e-mail (silent), and push waits for 8h for those who only take push.
``Participant.notified_message_id`` records what was announced: it is moved forward in a
conditional UPDATE before anything is written, so that two runs never announce a message
twice. Each member's batch is one ``notifications.Notice`` (e-mail and push), which the
outbox sends after commit.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from accounts.models import Profile
from notifications.models import Channel, PushSubscription
from notifications.notices import notice_send
from notifications.quiet_hours import quiet_hours_end

from .models import Message, Participant
from .selectors import conversation_title, message_author_label, unread_messages

EXCERPT = 200


def _seconds(name: str, default: int) -> timedelta:
    return timedelta(seconds=int(getattr(settings, name, default)))


def _pending():
    """Messages of the outer participant's conversation not yet announced nor read."""
    return unread_messages(user_field="user", read_field="last_read_at").filter(
        pk__gt=OuterRef("notified_message_id")
    )


@dataclass
class _Digest:
    user: object
    conversations: list = field(default_factory=list)  # (conversation, title, [messages])

    @property
    def count(self) -> int:
        return sum(len(messages) for _c, _t, messages in self.conversations)


def _claim(*, now, quiet: bool) -> dict[int, _Digest]:
    delay = _seconds("MESSAGE_NOTIFY_DELAY_SECONDS", 120)
    interval = _seconds("MESSAGE_NOTIFY_INTERVAL_SECONDS", 600)
    recently_notified = Participant.objects.filter(
        user=OuterRef("user"), notified_at__gt=now - interval
    )
    candidates = (
        Participant.objects.filter(left_at=None, user__is_active=True)
        .filter(Exists(_pending().filter(created_at__lte=now - delay)))
        .exclude(Exists(recently_notified))
    )
    if quiet:
        candidates = candidates.filter(
            Q(user__profile__isnull=True) | Q(user__profile__news_by_email=True),
            user__email__isnull=False,
        )
    candidates = candidates.annotate(
        newest=Subquery(_pending().order_by("-pk").values("pk")[:1])
    ).select_related("user", "conversation__commune__site")
    claimed = []
    for participant in candidates:
        # Announce up to the newest unread message; a run racing with this one loses here.
        if Participant.objects.filter(
            pk=participant.pk, notified_message_id=participant.notified_message_id
        ).update(notified_message_id=participant.newest, notified_at=now):
            claimed.append(participant)
    if not claimed:
        return {}
    # Every announced message in one query, then each participant's own range and unread part.
    by_conversation = defaultdict(list)
    for message in (
        Message.objects.filter(
            conversation__in={p.conversation_id for p in claimed},
            hidden_at=None,
            pk__gt=min(p.notified_message_id for p in claimed),
            pk__lte=max(p.newest for p in claimed),
        )
        .select_related("author")
        .order_by("pk")
    ):
        by_conversation[message.conversation_id].append(message)
    digests: dict[int, _Digest] = {}
    for participant in claimed:
        messages = [
            m
            for m in by_conversation[participant.conversation_id]
            if participant.notified_message_id < m.pk <= participant.newest
            and m.author_id != participant.user_id
            and (participant.last_read_at is None or m.created_at > participant.last_read_at)
        ]
        if messages:
            digest = digests.setdefault(participant.user_id, _Digest(user=participant.user))
            digest.conversations.append((participant.conversation, None, messages))
    _titled(list(digests.values()))
    return digests


def _conversation_url(conversation) -> str:
    return conversation.commune.site.root_url + reverse(
        "messaging:conversation", args=[conversation.pk]
    )


def _titled(digests: list[_Digest]) -> None:
    """Name each conversation as its page does, with one query for all of them."""
    others = defaultdict(list)
    for participant in Participant.objects.filter(
        conversation__in={c.pk for d in digests for c, _t, _m in d.conversations},
        left_at=None,
        for_mairie=False,
    ).select_related("user"):
        others[participant.conversation_id].append(participant)
    for digest in digests:
        with override(digest.user.language):
            digest.conversations = [
                (
                    conversation,
                    conversation_title(
                        conversation=conversation,
                        others=[p for p in others[conversation.pk] if p.user_id != digest.user.pk],
                    ),
                    messages,
                )
                for conversation, _title, messages in digest.conversations
            ]


def _email(digest: _Digest) -> tuple[str, str]:
    """The batch's e-mail: its subject and its text."""
    items = [
        {
            "title": title,
            "url": _conversation_url(conversation),
            "messages": [
                {
                    "author": message_author_label(message=m, conversation=conversation),
                    "text": m.text[:EXCERPT] + ("…" if len(m.text) > EXCERPT else ""),
                    "created_at": m.created_at,
                }
                for m in messages[-3:]
            ],
            "more": max(0, len(messages) - 3),
        }
        for conversation, title, messages in digest.conversations
    ]
    commune = digest.conversations[0][0].commune
    context = {
        "user": digest.user,
        "items": items,
        "count": digest.count,
        "inbox_url": commune.site.root_url + reverse("messaging:list"),
        "settings_url": commune.site.root_url + reverse("account_settings:notifications"),
    }
    subject = ngettext(
        "[%(commune)s] %(count)d nouveau message sur Voisinage",
        "[%(commune)s] %(count)d nouveaux messages sur Voisinage",
        digest.count,
    ) % {"commune": commune.name, "count": digest.count}
    return subject, render_to_string("messaging/email/digest.txt", context)


def _push(digest: _Digest) -> tuple[str, str, str]:
    """The batch's push: its title, its text and the page it opens."""
    conversation, title, messages = digest.conversations[0]
    last = messages[-1]
    if len(digest.conversations) == 1:
        url = _conversation_url(conversation)
        author = message_author_label(message=last, conversation=conversation)
        body = f"{author} : {last.text[:EXCERPT]}"
        title = _("Nouveaux messages — %(title)s") % {"title": title}
    else:
        url = conversation.commune.site.root_url + reverse("messaging:list")
        body = _("%(count)d messages non lus dans %(conversations)d conversations.") % {
            "count": digest.count,
            "conversations": len(digest.conversations),
        }
        title = _("Nouveaux messages")
    return title, body, url


def messages_notify(*, now=None) -> dict[str, int]:
    """Write the batched notices that are due; return how many go by e-mail and by push.

    One notice per member (tag ``messages``: a newer batch replaces the older one on the
    member's screen), by e-mail when they take news by e-mail, and by push when they take
    it on a device they enabled, outside quiet hours.
    """
    now = now or timezone.now()
    quiet = quiet_hours_end(now=now) is not None
    digests = _claim(now=now, quiet=quiet)
    if not digests:
        return {"email": 0, "push": 0}
    profiles = {p.user_id: p for p in Profile.objects.filter(user__in=list(digests))}
    with_devices = set(
        PushSubscription.objects.filter(user__in=list(digests)).values_list("user_id", flat=True)
    )
    counts = {"email": 0, "push": 0}
    for user_id, digest in digests.items():
        profile = profiles.get(user_id) or Profile(user=digest.user)
        channels = []
        if profile.news_by_email and digest.user.email:
            channels.append(Channel.EMAIL)
        if profile.news_by_push and user_id in with_devices and not quiet:
            channels.append(Channel.PUSH)
        if not channels:
            continue
        with override(digest.user.language):
            subject, text = _email(digest)
            title, body, url = _push(digest)
        notice_send(
            user=digest.user,
            kind="messages",
            subject=subject,
            text=text,
            sms_text=body,
            title=title,
            url=url,
            channels=channels,
            now=now,
        )
        for channel in channels:
            counts[channel.value] += 1
    return counts
