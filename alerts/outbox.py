"""What the outbox asks of alerts: who an alert message reaches, and how each channel says it.

Registered in ``AlertsConfig.ready``; the outbox (``notifications``) calls it and never
imports alerts. The SMS is the message's own text (the STOP mention included); e-mail and
push read the same words without it, with a link to the alert's page on its commune's site.
"""

from django.utils.translation import gettext as _

from notifications.push import PushNotification
from notifications.sources import EmailContent, OutboxSource

from .fanout import alert_message_audience_sql
from .models import ALERT_PURPOSE, AlertMessage
from .sms_text import alert_sms_stop_mention


class AlertOutboxSource(OutboxSource):
    purpose = ALERT_PURPOSE

    def audience_sql(self, *, message):
        alert_message = AlertMessage.objects.select_related("alert").get(pk=message.pk)
        return alert_message_audience_sql(message=alert_message)

    def prepare(self, deliveries):
        """One query for the alert messages of a batch, and one site root per commune."""
        messages = AlertMessage.objects.select_related("alert__commune").in_bulk(
            {d.message_id for d in deliveries}
        )
        roots: dict[int, str] = {}
        for delivery in deliveries:
            alert_message = messages[delivery.message_id]
            commune = alert_message.alert.commune
            if commune.pk not in roots:
                roots[commune.pk] = commune.site.root_url
            delivery.alert_message = alert_message
            delivery.site_root = roots[commune.pk]

    def _context(self, delivery):
        if not hasattr(delivery, "alert_message"):
            self.prepare([delivery])
        return delivery.alert_message, delivery.site_root

    def _reader_text(self, delivery) -> str:
        """The text for e-mail and push: the SMS wording without its STOP mention."""
        return self.sms_text(delivery).removesuffix(alert_sms_stop_mention())

    def email(self, delivery) -> EmailContent:
        message, root = self._context(delivery)
        alert = message.alert
        commune = alert.commune
        body = "\n\n".join(
            [
                self._reader_text(delivery),
                _("Voir l'alerte et ses suites : %(url)s") % {"url": f"{root}/alertes/{alert.pk}/"},
                _("Danger immédiat : composez le 17 (ou le 112)."),
                _("Choisir comment vous recevez les alertes : %(url)s")
                % {"url": f"{root}/compte/notifications/"},
            ]
        )
        return EmailContent(
            subject=f"[{commune.name}] {message.get_kind_display()} : "
            f"{alert.get_category_display()}",
            body=body,
        )

    def push(self, delivery) -> PushNotification:
        message, root = self._context(delivery)
        alert = message.alert
        title = f"{alert.commune.name} — {alert.get_category_display()}"
        if message.kind != AlertMessage.Kind.ALERT:
            title = f"{message.get_kind_display()} · {title}"
        return PushNotification(
            title=title,
            body=self._reader_text(delivery),
            url=f"{root}/alertes/{alert.pk}/",  # the alert's page on its commune's site
            tag=f"alerte-{alert.pk}",  # an update or the end replaces the alert on screen
            urgent=alert.urgent,
        )
