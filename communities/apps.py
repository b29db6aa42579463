from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = _("Communes et communautés")

    def ready(self):
        # Memberships in the GDPR export and erasure (accounts.gdpr).
        from . import gdpr, signal_handlers

        gdpr.register()
        # Cached memberships, roles and communes made stale by a change.
        signal_handlers.connect()
