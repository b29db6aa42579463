"""What the outbox asks of the mairie's announcements: who gets them, and in which words.

Registered in ``MairiePagesConfig.ready``. The audience is
``announcement_audience_sql``'s; e-mail and notification are worded in the member's
language (the announcement's live translation when there is one, the commune's own text
otherwise). An SMS that fails for good falls back to nothing: those members have no other
channel, and the announcement stays on the commune's site.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.member_language import member_language
from communities.wording import mairie_of, of_place
from notifications.push import PushNotification
from notifications.sources import EmailContent, OutboxSource

from .announcement_audience import announcement_audience_sql
from .announcement_sends import ANNOUNCEMENT_PURPOSE
from .models import AnnouncementPage, AnnouncementSend


class AnnouncementOutboxSource(OutboxSource):
    purpose = ANNOUNCEMENT_PURPOSE

    def audience_sql(self, *, message):
        send = AnnouncementSend.objects.get(pk=message.pk)
        return announcement_audience_sql(commune_id=send.commune_id, by_sms=send.by_sms)

    def prepare(self, deliveries):
        """The sends of a batch, and every live version of their pages, in three queries."""
        sends = AnnouncementSend.objects.select_related("commune__site").in_bulk(
            {d.message_id for d in deliveries}
        )
        keys = {send.translation_key for send in sends.values()}
        versions = {}
        pages = AnnouncementPage.objects.live().filter(translation_key__in=keys)
        for page in pages.select_related("locale"):
            versions[(page.translation_key, page.locale.language_code)] = page
        for delivery in deliveries:
            send = sends[delivery.message_id]
            delivery.announcement_send = send
            delivery.announcement_versions = versions

    def _page(self, delivery) -> tuple[AnnouncementSend, AnnouncementPage, str]:
        """The send, the page in the member's language (else the commune's), the language."""
        if not hasattr(delivery, "announcement_send"):
            self.prepare([delivery])
        send = delivery.announcement_send
        language = member_language(delivery.user)
        page = delivery.announcement_versions.get((send.translation_key, language)) or send.page
        return send, page, language

    def email(self, delivery) -> EmailContent:
        send, page, language = self._page(delivery)
        commune = send.commune
        root = commune.site.root_url
        with override(language):
            body = "\n\n".join(
                part
                for part in [
                    page.title,
                    page.summary,
                    _("Lire l'annonce : %(url)s") % {"url": page.get_full_url() or root},
                    _(
                        "Vous recevez les nouvelles de la mairie %(of_commune)s. Pour ne plus "
                        "les recevoir : %(url)s"
                    )
                    % {
                        "of_commune": of_place(commune.name),
                        "url": root + reverse("account_settings:notifications"),
                    },
                ]
                if part
            )
            subject = _("[%(commune)s] Annonce de la mairie : %(title)s") % {
                "commune": commune.name,
                "title": page.title,
            }
        return EmailContent(subject=subject, body=body)

    def push(self, delivery) -> PushNotification:
        send, page, language = self._page(delivery)
        with override(language):
            title = mairie_of(send.commune.name)
        return PushNotification(
            title=title,
            body=f"{page.title} — {page.summary}" if page.summary else page.title,
            url=page.get_full_url() or send.commune.site.root_url,
            tag=f"annonce-{send.translation_key}",
        )

    def falls_back(self, delivery) -> bool:
        return False
