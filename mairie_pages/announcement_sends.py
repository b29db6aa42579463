"""The mairie's announcement goes to the members who take its news, at its first publication.

Called when Wagtail publishes a page (``page_published``, wired in
``MairiePagesConfig.ready``), scheduled publications included. Members who take the
mairie's news by e-mail get it at once; by notification from 8 h on the next working day
when it is published at night or on a Sunday (quiet hours); by SMS only when staff ticked
"envoyer aussi par SMS", and then only those reached by nothing else, within the
commune's SMS budget (``communities.sms_budget``).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from communities.selectors import commune_for_page
from notifications.quiet_hours import quiet_hours_end
from notifications.services import outbox_message_dispatch

from .announcement_audience import announcement_sms_refusal, announcement_sms_text
from .models import AnnouncementPage, AnnouncementSend

ANNOUNCEMENT_PURPOSE = "announcement"


def announcement_sendable(*, page: AnnouncementPage, now=None) -> bool:
    """Live, published for the first time now, readable by anyone and not expired."""
    now = now or timezone.now()
    return (
        page.live
        and page.first_published_at is not None
        and page.first_published_at == page.last_published_at
        and (page.expire_at is None or page.expire_at > now)
        and not page.get_view_restrictions().exists()
    )


def announcement_send(*, page: AnnouncementPage, now=None) -> AnnouncementSend | None:
    """Hand a newly published announcement to the outbox, once; None when nothing goes.

    Nothing goes for a later publication of the same announcement (an edit), for a
    translation (the members got the commune's own version), for a page outside every
    commune's site, nor for a page restricted to some visitors.
    """
    now = now or timezone.now()
    if not announcement_sendable(page=page, now=now):
        return None
    commune = commune_for_page(page=page)
    if commune is None:
        return None
    if AnnouncementSend.objects.filter(translation_key=page.translation_key).exists():
        return None
    text = announcement_sms_text(
        commune_name=commune.name,
        title=page.title,
        summary=page.summary,
        url=page.get_full_url() or commune.site.root_url,
    )
    # Over the SMS budget, the announcement still goes, by e-mail and push only: the editor
    # was told on publishing, and a scheduled or approved publication has nobody to ask.
    by_sms = page.sms_requested and not announcement_sms_refusal(commune=commune, text=text)
    try:
        with transaction.atomic():
            send = AnnouncementSend.objects.create(
                purpose=ANNOUNCEMENT_PURPOSE,
                sender_name=commune.sms_sender_name,
                payer=commune,
                text=text,
                not_before=quiet_hours_end(now=now),
                expires_at=page.expire_at,
                page=page,
                commune=commune,
                translation_key=page.translation_key,
                by_sms=by_sms,
            )
            outbox_message_dispatch(message=send)
    except IntegrityError:
        return None  # published twice at the same moment: the first one sends
    return send


def announcement_published(sender, instance, **kwargs) -> None:
    """``page_published`` → ``announcement_send`` for announcements (wiring only)."""
    if isinstance(instance, AnnouncementPage):
        announcement_send(page=instance)
