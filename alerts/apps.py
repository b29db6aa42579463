from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Alertes")

    def ready(self):
        from accounts.email_bounces import email_failure_listener
        from notifications.email_bounces import delivery_email_undeliverable
        from notifications.sources import outbox_source_register

        from . import gdpr, reportables
        from .outbox import AlertOutboxSource

        # The e-mail provider's bounces fail the outbox's delivery they name.
        email_failure_listener(delivery_email_undeliverable)
        outbox_source_register(AlertOutboxSource())
        # Alerts in the one reports queue (moderation.reportables), and in the GDPR export
        # and erasure (accounts.gdpr).
        reportables.register()
        gdpr.register()
