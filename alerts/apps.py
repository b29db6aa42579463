from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Alertes")

    def ready(self):
        from accounts.email_bounces import email_failure_listener

        from . import gdpr, reportables
        from .email_bounces import delivery_email_undeliverable

        email_failure_listener(delivery_email_undeliverable)
        # Alerts in the GDPR export and erasure (accounts.gdpr).
        gdpr.register()
        reportables.register()
