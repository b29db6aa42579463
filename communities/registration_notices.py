"""Telling moderators and referents that registrations wait for them, a few times a day.

A new resident's request is useless until someone decides it, and the proof of address
is deleted unread after 30 days. The commune's moderators and the referents of the
communities concerned get one notice per batch (``registrations_waiting_notify``, run by
Celery beat at 9 h, 13 h and 17 h, Paris time) when new requests arrived since the last
one: how many wait in their queue, the oldest's waiting time, and the link to the queue.
By e-mail, else by SMS; through the outbox like every notice.
"""

from collections import defaultdict

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from accounts.member_language import member_language
from notifications.notices import email_else_sms, notice_send

from .memberships import pending_memberships_for
from .models import CommunityRole, Membership, MembershipStatus, StaffRole
from .roles import role_holders

REGISTRATIONS_WAITING_KIND = "registrations_waiting"


def _recipients(fresh: list[Membership]) -> dict[int, tuple[object, object]]:
    """Who decides at least one of ``fresh``: user id → (user, the commune to link to)."""
    recipients = {}
    for membership in fresh:
        commune = membership.community.commune
        for moderator in role_holders(commune=commune, role=StaffRole.MODERATOR):
            recipients.setdefault(moderator.pk, (moderator, commune))
    referents = Membership.objects.filter(
        community__in={m.community_id for m in fresh},
        role=CommunityRole.REFERENT,
        status=MembershipStatus.VERIFIED,
    ).select_related("user", "community__commune")
    for referent in referents:
        recipients.setdefault(referent.user_id, (referent.user, referent.community.commune))
    return {pk: pair for pk, pair in recipients.items() if pair[0].is_active}


def _notice_texts(*, waiting: list[Membership], commune, now) -> tuple[str, str, str, str]:
    """Subject, e-mail text, SMS text and queue address, in the active language."""
    url = commune.site.root_url + reverse("moderation:queue")
    count = len(waiting)
    oldest = timesince(waiting[0].requested_at, now, depth=1)
    per_community = defaultdict(int)
    for membership in waiting:
        per_community[membership.community.name] += 1
    subject = ngettext(
        "[%(commune)s] %(count)d inscription à valider",
        "[%(commune)s] %(count)d inscriptions à valider",
        count,
    ) % {"commune": commune.name, "count": count}
    summary = ngettext(
        "%(count)d demande d'inscription attend votre décision (depuis %(oldest)s).",
        "%(count)d demandes d'inscription attendent votre décision (la plus ancienne "
        "depuis %(oldest)s).",
        count,
    ) % {"count": count, "oldest": oldest}
    lines = [f"- {name} : {number}" for name, number in sorted(per_community.items())]
    text = "\n\n".join(
        [
            _("Bonjour,"),
            summary,
            "\n".join(lines),
            _("Les examiner : %(url)s") % {"url": url},
            _(
                "Le justificatif de domicile est supprimé dès votre décision ; une demande "
                "non traitée expire au bout de 30 jours."
            ),
        ]
    )
    sms = _("Voisinage %(commune)s : %(summary)s %(url)s") % {
        "commune": commune.name,
        "summary": summary,
        "url": url,
    }
    return subject, text, sms, url


def registrations_waiting_notify(*, now=None) -> int:
    """Tell whoever decides the requests that arrived since the last batch; return how
    many notices were written. Idempotent: the requests told about are marked."""
    now = now or timezone.now()
    with transaction.atomic():
        fresh = list(
            Membership.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=MembershipStatus.PENDING, waiting_notified_at=None)
            .select_related("community__commune__site")
        )
        if not fresh:
            return 0
        fresh_ids = {membership.pk for membership in fresh}
        sent = 0
        for user, commune in _recipients(fresh).values():
            waiting = list(pending_memberships_for(moderator=user))
            if not fresh_ids & {membership.pk for membership in waiting}:
                continue  # their own request, or a community they no longer decide
            with override(member_language(user)):
                subject, text, sms, url = _notice_texts(waiting=waiting, commune=commune, now=now)
            notice_send(
                user=user,
                kind=REGISTRATIONS_WAITING_KIND,
                subject=subject,
                text=text,
                sms_text=sms,
                url=url,
                channels=email_else_sms(user),
                sender_name=commune.sms_sender_name,
                payer=commune,
                now=now,
            )
            sent += 1
        Membership.objects.filter(pk__in=fresh_ids).update(waiting_notified_at=now)
    return sent
