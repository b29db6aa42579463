"""Authors hear of new comments on their posts: batched, at most once an hour per post.

A periodic task (every five minutes) looks for posts with comments their author has not
been told of, the oldest waiting for more than ``GAZETTE_COMMENT_NOTIFY_DELAY_SECONDS``
(2 minutes: a discussion under way arrives in one notice), and whose author was not told
about that post during the last ``GAZETTE_COMMENT_NOTIFY_INTERVAL_SECONDS`` (an hour).
The author gets one notice per post through the outbox, on the channels they chose for
other news (``news_by_email``, ``news_by_push`` on a device they enabled); push waits for
the end of quiet hours, as every non-urgent notice does. ``comments_notified_id`` records
what was announced; it is moved forward in a conditional UPDATE before anything is
written, so two runs never announce a comment twice. Their own comments, hidden ones and
comments on a hidden or unpublished post are never announced.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from accounts.member_language import member_language
from accounts.models import Profile
from communities.wording import mairie_of
from notifications.models import Channel, PushSubscription
from notifications.notices import notice_send

from .models import Comment, GazettePost

EXCERPT = 200
SHOWN = 3


def _seconds(name: str, default: int) -> timedelta:
    return timedelta(seconds=int(getattr(settings, name, default)))


def _unannounced():
    """Comments on the outer post that its author has not been told of."""
    return Comment.objects.filter(
        Q(author__isnull=True) | ~Q(author=OuterRef("author")),
        post=OuterRef("pk"),
        hidden_at=None,
        pk__gt=OuterRef("comments_notified_id"),
    )


def _comment_author(comment: Comment, commune) -> str:
    if comment.from_mairie:
        return mairie_of(commune.name)
    if comment.author is None:
        return _("ancien membre")
    return comment.author.get_full_name()


def _channels(user, profile: Profile, with_device: bool) -> list[Channel]:
    channels = []
    if profile.news_by_email and user.email:
        channels.append(Channel.EMAIL)
    if profile.news_by_push and with_device:
        channels.append(Channel.PUSH)
    return channels


def _notice(*, post: GazettePost, comments: list[Comment], channels, now) -> None:
    author = post.author
    commune = post.commune
    url = (post.get_full_url() or commune.site.root_url) + "#commentaires"
    shown = [
        {
            "author": _comment_author(c, commune),
            "text": c.text[:EXCERPT] + ("…" if len(c.text) > EXCERPT else ""),
        }
        for c in comments[-SHOWN:]
    ]
    context = {
        "user": author,
        "post": post,
        "count": len(comments),
        "comments": shown,
        "more": max(0, len(comments) - SHOWN),
        "url": url,
        "settings_url": commune.site.root_url + reverse("account_settings:notifications"),
    }
    subject = ngettext(
        "[%(commune)s] %(count)d nouveau commentaire sur « %(title)s »",
        "[%(commune)s] %(count)d nouveaux commentaires sur « %(title)s »",
        len(comments),
    ) % {"commune": commune.name, "count": len(comments), "title": post.title}
    last = shown[-1]
    notice_send(
        user=author,
        kind="gazette_comments",
        subject=subject,
        text=render_to_string("gazette/email/comments.txt", context),
        sms_text=f"{last['author']} : {last['text']}",
        title=_("Nouveaux commentaires — %(title)s") % {"title": post.title},
        url=url,
        channels=channels,
        now=now,
    )


def gazette_comments_notify(*, now=None) -> int:
    """Write the batched notices that are due; return how many posts' authors were told."""
    now = now or timezone.now()
    delay = _seconds("GAZETTE_COMMENT_NOTIFY_DELAY_SECONDS", 120)
    interval = _seconds("GAZETTE_COMMENT_NOTIFY_INTERVAL_SECONDS", 3600)
    candidates = (
        GazettePost.objects.filter(
            live=True, hidden_at=None, author__isnull=False, author__is_active=True
        )
        .filter(Q(comments_notified_at__isnull=True) | Q(comments_notified_at__lte=now - interval))
        .filter(Exists(_unannounced().filter(created_at__lte=now - delay)))
        .annotate(newest=Subquery(_unannounced().order_by("-pk").values("pk")[:1]))
        .select_related("author", "commune__site")
    )
    told = 0
    for post in candidates:
        with transaction.atomic():
            # Announce up to the newest comment; a run racing with this one loses here.
            if not GazettePost.objects.filter(
                pk=post.pk, comments_notified_id=post.comments_notified_id
            ).update(comments_notified_id=post.newest, comments_notified_at=now):
                continue
            comments = list(
                Comment.objects.filter(
                    Q(author__isnull=True) | ~Q(author=post.author_id),
                    post=post,
                    hidden_at=None,
                    pk__gt=post.comments_notified_id,
                    pk__lte=post.newest,
                )
                .select_related("author")
                .order_by("pk")
            )
            profile = Profile.objects.filter(user=post.author).first() or Profile(user=post.author)
            with_device = PushSubscription.objects.filter(user=post.author).exists()
            channels = _channels(post.author, profile, with_device)
            if not comments or not channels:
                continue
            with override(member_language(post.author)):
                _notice(post=post, comments=comments, channels=channels, now=now)
            told += 1
    return told
