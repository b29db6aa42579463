from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Alertes")

    def ready(self):
        from notifications.sources import outbox_source_register

        from . import gdpr, reportables, signal_handlers
        from .outbox import AlertOutboxSource

        outbox_source_register(AlertOutboxSource())
        # Alerts in the one reports queue (moderation.reportables), and in the GDPR export
        # and erasure (accounts.gdpr).
        reportables.register()
        gdpr.register()
        # Members' shared alert pages are stale after any write they show.
        signal_handlers.connect()
