"""The weekly e-mail digest of the gazette, for members who keep "autres nouvelles par e-mail".

Each member receives, once a week, the gazette posts of the past seven days that *they* may
read (``GazettePost.objects.visible_to``, the rule of every other path) and the commune's
public announcements of the same days, with links to the commune's own site. Nothing is
sent when there is nothing new. The week is claimed on the member's profile in the same
transaction that writes the e-mail to the outbox (a ``notifications.Notice``), so that a
second run, a retried task or a second worker never sends the same week twice; the outbox
then sends it, and retries it when the provider fails.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.member_language import member_language
from accounts.models import Profile
from accounts.profiles import profile_for
from communities.models import Commune, MembershipStatus
from notifications.models import Channel
from notifications.notices import notice_send

from .models import GazettePost
from .stream import stream_sources

logger = logging.getLogger(__name__)

DIGEST_DAYS = 7
DIGEST_TIME_ZONE = ZoneInfo("Europe/Paris")


def digest_week_of(moment: datetime) -> date:
    """The Monday (Paris time) of the week ``moment`` falls in: the digest's idempotency key."""
    local = timezone.localtime(moment, DIGEST_TIME_ZONE).date()
    return local - timedelta(days=local.weekday())


def digest_recipients(*, commune: Commune) -> QuerySet:
    """Active verified members of ``commune`` with an e-mail address who did not turn off
    "autres nouvelles par e-mail" (a member without a saved profile keeps its default, on)."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            email__isnull=False,
            memberships__community__commune=commune,
            memberships__status=MembershipStatus.VERIFIED,
        )
        .exclude(email="")
        .exclude(profile__news_by_email=False)
        .distinct()
        .order_by("pk")
    )


@dataclass
class Digest:
    user: object
    commune: Commune
    since: datetime
    until: datetime
    posts: list = field(default_factory=list)
    announcements: list = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.posts and not self.announcements


def digest_for(*, user, commune: Commune, until: datetime) -> Digest:
    """What ``user`` may read of ``commune``'s last seven days, newest first."""
    since = until - timedelta(days=DIGEST_DAYS)
    published = Q(first_published_at__gte=since, first_published_at__lt=until)
    posts = (
        GazettePost.objects.visible_to(user)
        .filter(published, commune=commune)
        .select_related("author")
        .order_by("-first_published_at", "-pk")
    )
    # The mairie's announcements, as the stream shows them (gazette.stream).
    announcements = sorted(
        (
            page
            for source in stream_sources()
            for page in source.public_of(commune=commune).filter(published)
        ),
        key=lambda page: (page.first_published_at, page.pk),
        reverse=True,
    )
    return Digest(
        user=user,
        commune=commune,
        since=since,
        until=until,
        posts=list(posts),
        announcements=list(announcements),
    )


def _digest_write(digest: Digest) -> None:
    """Write the digest's e-mail (plain text, HTML, List-Unsubscribe) to the outbox."""
    commune = digest.commune
    root_url = commune.site.root_url
    with translation.override(member_language(digest.user)):
        context = {
            "user": digest.user,
            "commune": commune,
            "site_url": root_url,
            "since": timezone.localtime(digest.since, DIGEST_TIME_ZONE),
            "posts": [(post, post.get_full_url()) for post in digest.posts],
            "announcements": [(page, page.get_full_url()) for page in digest.announcements],
            "settings_url": f"{root_url}{reverse('account_settings:notifications')}",
        }
        subject = " ".join(render_to_string("gazette/email/digest_subject.txt", context).split())
        text = render_to_string("gazette/email/digest.txt", context)
        html = render_to_string("gazette/email/digest.html", context)
    notice_send(
        user=digest.user,
        kind="gazette_digest",
        subject=subject,
        text=text,
        html=html,
        headers={"List-Unsubscribe": f"<{context['settings_url']}>"},
        channels=(Channel.EMAIL,),
        url=root_url,
    )


def digest_send(*, user, commune: Commune, now: datetime | None = None) -> bool:
    """E-mail ``user`` this week's digest of ``commune``, at most once a week.

    True when the e-mail was written to the outbox, in the transaction that claims the
    week (it leaves after commit). Nothing is written (and the week stays unclaimed) when
    there is nothing new.
    """
    now = now or timezone.now()
    week = digest_week_of(now)
    digest = digest_for(user=user, commune=commune, until=now)
    if digest.is_empty:
        return False
    profile = profile_for(user=user)
    with transaction.atomic():
        # The conditional update is the claim: a concurrent run waits on the row, then finds
        # the week already taken and updates nothing.
        claimed = (
            Profile.objects.filter(pk=profile.pk)
            .filter(Q(news_digest_week__isnull=True) | Q(news_digest_week__lt=week))
            .update(news_digest_week=week)
        )
        if not claimed:
            return False
        _digest_write(digest)
    return True


def digests_send(*, now: datetime | None = None) -> int:
    """This week's digest to every recipient of every commune; the number of e-mails written.

    One member's failure is logged and does not stop the others'.
    """
    now = now or timezone.now()
    sent = 0
    for commune in Commune.objects.select_related("site").order_by("pk"):
        for user in digest_recipients(commune=commune).iterator(chunk_size=500):
            try:
                sent += digest_send(user=user, commune=commune, now=now)
            except Exception:
                logger.exception("Gazette digest not written for user %s", user.pk)
    return sent
