from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API et appareils connectés")

    def ready(self):
        from . import app_sessions, signal_handlers

        # Apps' sessions in the GDPR export and erasure (accounts.gdpr): erasure revokes them.
        app_sessions.gdpr_register()
        signal_handlers.connect()
